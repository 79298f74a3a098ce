//! Keys (through ring) and certificates (through x509-cert): signing,
//! verifying, and making the demo CA's certificates.

use std::time::Duration;

use chrono::{DateTime, Datelike, Utc};
use const_oid::ObjectIdentifier;
use der::asn1::{BitString, GeneralizedTime, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode, Tag};
use ring::rand::SystemRandom;
use ring::signature::{self as rs, KeyPair};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::certificate::{TbsCertificate, Version};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use super::SignError;
use super::cades::{
    ECDSA_WITH_SHA256, ECDSA_WITH_SHA384, ID_EC_PUBLIC_KEY, ID_SHA256, ID_SHA384, ID_SHA512,
    RSA_ENCRYPTION, RawSigner, SECP256R1, SECP384R1, SHA256_WITH_RSA, SHA384_WITH_RSA,
    SHA512_WITH_RSA,
};

fn der_err(e: der::Error) -> SignError {
    SignError::Certificate(e.to_string())
}

/// A private key that signs with SHA-256.
pub enum Key {
    /// ECDSA P-256.
    Ecdsa(rs::EcdsaKeyPair),
    /// RSA (PKCS #1 v1.5), 2048 bits or more.
    Rsa(rs::RsaKeyPair),
}

impl Key {
    /// From a PKCS #8 PrivateKeyInfo (DER), RSA or ECDSA P-256.
    pub fn from_pkcs8(der: &[u8]) -> Result<Key, SignError> {
        let rng = SystemRandom::new();
        if let Ok(k) = rs::EcdsaKeyPair::from_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, der, &rng)
        {
            return Ok(Key::Ecdsa(k));
        }
        rs::RsaKeyPair::from_pkcs8(der)
            .map(Key::Rsa)
            .map_err(|e| SignError::Key(e.to_string()))
    }

    /// The public key as it appears in a certificate's
    /// subjectPublicKey BIT STRING.
    pub fn public_key(&self) -> &[u8] {
        match self {
            Key::Ecdsa(k) => k.public_key().as_ref(),
            Key::Rsa(k) => k.public_key().as_ref(),
        }
    }

    pub fn spki(&self) -> Result<SubjectPublicKeyInfoOwned, SignError> {
        let algorithm = match self {
            Key::Ecdsa(_) => AlgorithmIdentifierOwned {
                oid: ID_EC_PUBLIC_KEY,
                parameters: Some(Any::encode_from(&SECP256R1).map_err(der_err)?),
            },
            Key::Rsa(_) => AlgorithmIdentifierOwned {
                oid: RSA_ENCRYPTION,
                parameters: Some(Any::null()),
            },
        };
        Ok(SubjectPublicKeyInfoOwned {
            algorithm,
            subject_public_key: BitString::from_bytes(self.public_key()).map_err(der_err)?,
        })
    }
}

impl RawSigner for Key {
    fn algorithm(&self) -> AlgorithmIdentifierOwned {
        match self {
            Key::Ecdsa(_) => AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA256,
                parameters: None,
            },
            Key::Rsa(_) => AlgorithmIdentifierOwned {
                oid: SHA256_WITH_RSA,
                parameters: Some(Any::null()),
            },
        }
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let rng = SystemRandom::new();
        match self {
            Key::Ecdsa(k) => k
                .sign(&rng, message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| SignError::Key("ECDSA signing failed".into())),
            Key::Rsa(k) => {
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(&rs::RSA_PKCS1_SHA256, &rng, message, &mut sig)
                    .map_err(|_| SignError::Key("RSA signing failed".into()))?;
                Ok(sig)
            }
        }
    }
}

/// Checks `signature` over `message` with `cert`'s public key.
pub fn verify_signature(
    cert: &Certificate,
    sig_alg: &ObjectIdentifier,
    digest_alg: &ObjectIdentifier,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignError> {
    let spki = &cert.tbs_certificate.subject_public_key_info;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| SignError::Certificate("public key is not whole bytes".into()))?;
    let alg: &dyn rs::VerificationAlgorithm = if spki.algorithm.oid == RSA_ENCRYPTION {
        let digest = if *sig_alg == RSA_ENCRYPTION {
            *digest_alg
        } else {
            *sig_alg
        };
        match digest {
            ID_SHA256 | SHA256_WITH_RSA => &rs::RSA_PKCS1_2048_8192_SHA256,
            ID_SHA384 | SHA384_WITH_RSA => &rs::RSA_PKCS1_2048_8192_SHA384,
            ID_SHA512 | SHA512_WITH_RSA => &rs::RSA_PKCS1_2048_8192_SHA512,
            other => return Err(SignError::Unsupported(format!("RSA signature {other}"))),
        }
    } else if spki.algorithm.oid == ID_EC_PUBLIC_KEY {
        let curve: ObjectIdentifier = spki
            .algorithm
            .parameters
            .as_ref()
            .ok_or_else(|| SignError::Certificate("EC key without a curve".into()))?
            .decode_as()
            .map_err(der_err)?;
        match (curve, *sig_alg) {
            (SECP256R1, ECDSA_WITH_SHA256) => &rs::ECDSA_P256_SHA256_ASN1,
            (SECP256R1, ECDSA_WITH_SHA384) => &rs::ECDSA_P256_SHA384_ASN1,
            (SECP384R1, ECDSA_WITH_SHA256) => &rs::ECDSA_P384_SHA256_ASN1,
            (SECP384R1, ECDSA_WITH_SHA384) => &rs::ECDSA_P384_SHA384_ASN1,
            (c, a) => return Err(SignError::Unsupported(format!("ECDSA {a} on curve {c}"))),
        }
    } else {
        return Err(SignError::Unsupported(format!(
            "public key {}",
            spki.algorithm.oid
        )));
    };
    rs::UnparsedPublicKey::new(alg, key)
        .verify(message, signature)
        .map_err(|_| SignError::BadSignature)
}

/// Checks that `cert` was signed by `issuer`'s key.
pub fn verify_issued_by(cert: &Certificate, issuer: &Certificate) -> Result<(), SignError> {
    let tbs = cert.tbs_certificate.to_der().map_err(der_err)?;
    let sig = cert
        .signature
        .as_bytes()
        .ok_or_else(|| SignError::Certificate("signature is not whole bytes".into()))?;
    verify_signature(issuer, &cert.signature_algorithm.oid, &ID_SHA256, &tbs, sig)
}

pub fn subject_key_id(cert: &Certificate) -> Option<Vec<u8>> {
    const SKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
    let ext = cert
        .tbs_certificate
        .extensions
        .as_ref()?
        .iter()
        .find(|e| e.extn_id == SKI)?;
    let ski = SubjectKeyIdentifier::from_der(ext.extn_value.as_bytes()).ok()?;
    Some(ski.0.as_bytes().to_vec())
}

/// SHA-256 of the certificate's DER, lower-case hex.
pub fn fingerprint(cert_der: &[u8]) -> String {
    hex::encode(Sha256::digest(cert_der))
}

/// A name as RFC 4514 text (Thai kept as is).
pub fn name_text(name: &Name) -> String {
    name.to_string()
}

/// The common name, if any.
pub fn common_name(name: &Name) -> Option<String> {
    const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
    name.0
        .iter()
        .rev()
        .flat_map(|rdn| rdn.0.iter())
        .find_map(|atv| {
            if atv.oid != CN {
                return None;
            }
            std::str::from_utf8(atv.value.value())
                .ok()
                .map(str::to_string)
        })
}

/// A distinguished name from (attribute, value) pairs, most significant
/// first; C as PrintableString, the rest UTF8String (Thai names).
pub fn name(parts: &[(&str, &str)]) -> Result<Name, SignError> {
    let mut rdns = Vec::new();
    for (attr, value) in parts {
        let (oid, tag) = match *attr {
            "C" => ("2.5.4.6", Tag::PrintableString),
            "O" => ("2.5.4.10", Tag::Utf8String),
            "OU" => ("2.5.4.11", Tag::Utf8String),
            "CN" => ("2.5.4.3", Tag::Utf8String),
            "serialNumber" => ("2.5.4.5", Tag::PrintableString),
            other => return Err(SignError::Certificate(format!("attribute {other}"))),
        };
        let atv = AttributeTypeAndValue {
            oid: ObjectIdentifier::new(oid).map_err(|e| SignError::Certificate(e.to_string()))?,
            value: Any::new(tag, value.as_bytes()).map_err(der_err)?,
        };
        let mut set = SetOfVec::new();
        set.insert(atv).map_err(der_err)?;
        rdns.push(RelativeDistinguishedName(set));
    }
    Ok(RdnSequence(rdns))
}

fn time(t: DateTime<Utc>) -> Result<Time, SignError> {
    let secs = u64::try_from(t.timestamp())
        .map_err(|_| SignError::Certificate("time before 1970".into()))?;
    let dt = der::DateTime::from_unix_duration(Duration::from_secs(secs)).map_err(der_err)?;
    // RFC 5280: UTCTime through 2049, GeneralizedTime after.
    if t.year() < 2050 {
        Ok(Time::UtcTime(UtcTime::from_date_time(dt).map_err(der_err)?))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(dt)))
    }
}

/// What a new certificate says.
pub struct CertSpec<'a> {
    pub serial: &'a [u8],
    pub subject: Name,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub is_ca: bool,
    pub public: SubjectPublicKeyInfoOwned,
}

fn ext(oid: &str, critical: bool, value: &impl Encode) -> Result<Extension, SignError> {
    Ok(Extension {
        extn_id: ObjectIdentifier::new(oid).map_err(|e| SignError::Certificate(e.to_string()))?,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(der_err)?).map_err(der_err)?,
    })
}

/// Key identifier: SHA-1-length prefix of the SHA-256 of the public key.
pub fn key_id(public: &[u8]) -> Vec<u8> {
    Sha256::digest(public)[..20].to_vec()
}

/// Issues a certificate signed by `issuer_key` (whose certificate is
/// `issuer`, or none for a self-signed one).
pub fn issue(
    spec: CertSpec<'_>,
    issuer: Option<&Certificate>,
    issuer_key: &Key,
) -> Result<Certificate, SignError> {
    let own_id = key_id(spec.public.subject_public_key.raw_bytes());
    let issuer_id = key_id(issuer_key.public_key());
    let usage = if spec.is_ca {
        KeyUsages::KeyCertSign | KeyUsages::CRLSign
    } else {
        KeyUsages::DigitalSignature | KeyUsages::NonRepudiation
    };
    let extensions = vec![
        ext(
            "2.5.29.19",
            true,
            &BasicConstraints {
                ca: spec.is_ca,
                path_len_constraint: spec.is_ca.then_some(0),
            },
        )?,
        ext("2.5.29.15", true, &KeyUsage(usage))?,
        ext(
            "2.5.29.14",
            false,
            &SubjectKeyIdentifier(OctetString::new(own_id).map_err(der_err)?),
        )?,
        ext(
            "2.5.29.35",
            false,
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(issuer_id).map_err(der_err)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        )?,
    ];
    let issuer_name = match issuer {
        Some(c) => c.tbs_certificate.subject.clone(),
        None => spec.subject.clone(),
    };
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(spec.serial).map_err(der_err)?,
        signature: issuer_key.algorithm(),
        issuer: issuer_name,
        validity: Validity {
            not_before: time(spec.not_before)?,
            not_after: time(spec.not_after)?,
        },
        subject: spec.subject,
        subject_public_key_info: spec.public,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let signature = issuer_key.sign(&tbs.to_der().map_err(der_err)?)?;
    Ok(Certificate {
        tbs_certificate: tbs,
        signature_algorithm: issuer_key.algorithm(),
        signature: BitString::from_bytes(&signature).map_err(der_err)?,
    })
}

/// A new ECDSA P-256 key as PKCS #8 DER.
pub fn new_p256_pkcs8() -> Result<Vec<u8>, SignError> {
    let rng = SystemRandom::new();
    rs::EcdsaKeyPair::generate_pkcs8(&rs::ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map(|d| d.as_ref().to_vec())
        .map_err(|_| SignError::Key("key generation failed".into()))
}

/// Parses a certificate.
pub fn parse(der: &[u8]) -> Result<Certificate, SignError> {
    Certificate::from_der(der).map_err(der_err)
}
