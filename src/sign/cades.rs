//! CMS SignedData for PAdES: detached, SHA-256, with the signed attributes
//! PAdES baseline B-B asks for (content-type, message-digest,
//! signing-certificate-v2) and no signing-time (the signature dictionary's
//! /M carries the claimed time instead).

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Sequence};
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use super::SignError;

pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
pub const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
pub const ID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
pub const ID_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
pub const ID_AA_SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
pub const ID_AA_TIME_STAMP_TOKEN: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
pub const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
pub const ID_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
pub const ID_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
pub const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
pub const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
pub const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
pub const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
pub const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
pub const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
pub const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// ESS `SigningCertificateV2` (RFC 5035), hash algorithm SHA-256 (the
/// default, so omitted), no policies.
#[derive(Debug, Clone, Sequence)]
pub struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
}

#[derive(Debug, Clone, Sequence)]
pub struct EssCertIdV2 {
    pub cert_hash: OctetString,
    pub issuer_serial: Option<IssuerSerial>,
}

#[derive(Debug, Clone, Sequence)]
pub struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

/// Turns a signature value into an RFC 3161 TimeStampToken (DER).
pub type Stamp<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>, SignError> + 'a;

/// How a signature value is made: the key stays with the caller.
pub trait RawSigner {
    /// The signature algorithm identifier written into the SignerInfo.
    fn algorithm(&self) -> AlgorithmIdentifierOwned;
    /// Signs `message` (the DER of the signed attributes) with SHA-256.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}

fn der_err(e: der::Error) -> SignError {
    SignError::Cms(e.to_string())
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, SignError> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(der_err)?;
    Ok(Attribute { oid, values })
}

pub fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: ID_SHA256,
        parameters: None,
    }
}

/// The signed attributes over a document digest, for `cert`.
pub fn signed_attributes(
    digest: &[u8],
    cert: &Certificate,
    cert_der: &[u8],
) -> Result<SetOfVec<Attribute>, SignError> {
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(Sha256::digest(cert_der).to_vec()).map_err(der_err)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    cert.tbs_certificate.issuer.clone(),
                )],
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
        }],
    };
    let attrs = vec![
        attribute(
            ID_CONTENT_TYPE,
            Any::encode_from(&ID_DATA).map_err(der_err)?,
        )?,
        attribute(
            ID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.to_vec()).map_err(der_err)?)
                .map_err(der_err)?,
        )?,
        attribute(
            ID_AA_SIGNING_CERTIFICATE_V2,
            Any::encode_from(&ess).map_err(der_err)?,
        )?,
    ];
    SetOfVec::try_from(attrs).map_err(der_err)
}

/// A detached SignedData over `digest` (SHA-256 of the signed bytes),
/// returned as a DER ContentInfo. `chain` is the signer's certificate
/// first, then its issuers. `timestamp` turns the signature into B-T: it
/// receives the signature value and returns an RFC 3161 TimeStampToken
/// (DER), stored as an unsigned attribute.
pub fn signed_data(
    digest: &[u8],
    chain: &[(Certificate, Vec<u8>)],
    signer: &dyn RawSigner,
    timestamp: Option<&Stamp<'_>>,
) -> Result<Vec<u8>, SignError> {
    let (cert, cert_der) = chain.first().ok_or(SignError::NoCertificate)?;
    let attrs = signed_attributes(digest, cert, cert_der)?;
    let to_sign = attrs.to_der().map_err(der_err)?;
    let signature = signer.sign(&to_sign)?;
    let unsigned_attrs = match timestamp {
        Some(stamp) => {
            let token = stamp(&signature)?;
            let mut set = SetOfVec::new();
            set.insert(attribute(
                ID_AA_TIME_STAMP_TOKEN,
                Any::from_der(&token).map_err(der_err)?,
            )?)
            .map_err(der_err)?;
            Some(set)
        }
        None => None,
    };
    let info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256_alg(),
        signed_attrs: Some(attrs),
        signature_algorithm: signer.algorithm(),
        signature: OctetString::new(signature).map_err(der_err)?,
        unsigned_attrs,
    };
    let mut certs = SetOfVec::new();
    for (c, _) in chain {
        certs
            .insert(CertificateChoices::Certificate(c.clone()))
            .map_err(der_err)?;
    }
    let mut digests = SetOfVec::new();
    digests.insert(sha256_alg()).map_err(der_err)?;
    let mut infos = SetOfVec::new();
    infos.insert(info).map_err(der_err)?;
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: digests,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(infos),
    };
    let ci = ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&sd).map_err(der_err)?,
    };
    ci.to_der().map_err(der_err)
}

/// What a SignedData says about itself once checked.
pub struct Checked {
    pub signer: Certificate,
    pub signer_der: Vec<u8>,
    /// The ESS signing-certificate-v2 attribute is present and names the
    /// signer's certificate (required by PAdES baseline).
    pub ess_v2: bool,
    pub timestamped: bool,
}

/// The DER length of the value starting at `bytes` (tag, length, content),
/// so the zero padding of /Contents can be cut off.
pub fn der_len(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < 2 {
        return None;
    }
    let first = bytes[1];
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 || bytes.len() < 2 + n {
        return None;
    }
    let len = bytes[2..2 + n]
        .iter()
        .fold(0usize, |acc, &b| acc << 8 | usize::from(b));
    Some(2 + n + len)
}

/// Checks a detached SignedData against the bytes it signs: the message
/// digest, then the signature over the signed attributes with the key of
/// the certificate the signer names.
pub fn check(cms_der: &[u8], signed: &[&[u8]]) -> Result<Checked, SignError> {
    let len = der_len(cms_der).ok_or_else(|| SignError::Cms("empty /Contents".into()))?;
    let body = cms_der
        .get(..len)
        .ok_or_else(|| SignError::Cms("truncated /Contents".into()))?;
    let ci = ContentInfo::from_der(body).map_err(der_err)?;
    if ci.content_type != ID_SIGNED_DATA {
        return Err(SignError::Cms("not a SignedData".into()));
    }
    let sd: SignedData = ci.content.decode_as().map_err(der_err)?;
    if sd.encap_content_info.econtent.is_some() {
        return Err(SignError::Cms("not a detached signature".into()));
    }
    let info = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| SignError::Cms("no signer".into()))?;
    let certs: Vec<Certificate> = sd
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => Some(c.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let signer = certs
        .iter()
        .find(|c| match &info.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                c.tbs_certificate.issuer == ias.issuer
                    && c.tbs_certificate.serial_number == ias.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                super::x509::subject_key_id(c).is_some_and(|k| k == ski.0.as_bytes())
            }
        })
        .cloned()
        .ok_or(SignError::NoCertificate)?;
    let signer_der = signer.to_der().map_err(der_err)?;

    // The document digest.
    let digest = hash(&info.digest_alg.oid, signed)?;
    let attrs = info
        .signed_attrs
        .as_ref()
        .ok_or_else(|| SignError::Cms("no signed attributes".into()))?;
    let find = |oid: ObjectIdentifier| {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next())
    };
    let claimed: OctetString = find(ID_MESSAGE_DIGEST)
        .ok_or_else(|| SignError::Cms("no message-digest attribute".into()))?
        .decode_as()
        .map_err(der_err)?;
    if claimed.as_bytes() != digest.as_slice() {
        return Err(SignError::DigestMismatch);
    }
    let content_type: ObjectIdentifier = find(ID_CONTENT_TYPE)
        .ok_or_else(|| SignError::Cms("no content-type attribute".into()))?
        .decode_as()
        .map_err(der_err)?;
    if content_type != ID_DATA {
        return Err(SignError::Cms("content-type is not id-data".into()));
    }
    let ess_v2 = match find(ID_AA_SIGNING_CERTIFICATE_V2) {
        Some(v) => {
            let ess: SigningCertificateV2 = v.decode_as().map_err(der_err)?;
            let want = Sha256::digest(&signer_der);
            let ok = ess
                .certs
                .first()
                .is_some_and(|id| id.cert_hash.as_bytes() == want.as_slice());
            if !ok {
                return Err(SignError::Cms(
                    "signing-certificate-v2 names another certificate".into(),
                ));
            }
            true
        }
        None => false,
    };

    // The signature over the signed attributes (as a DER SET OF).
    let message = attrs.to_der().map_err(der_err)?;
    super::x509::verify_signature(
        &signer,
        &info.signature_algorithm.oid,
        &info.digest_alg.oid,
        &message,
        info.signature.as_bytes(),
    )?;
    let timestamped = info
        .unsigned_attrs
        .as_ref()
        .is_some_and(|u| u.iter().any(|a| a.oid == ID_AA_TIME_STAMP_TOKEN));
    Ok(Checked {
        signer,
        signer_der,
        ess_v2,
        timestamped,
    })
}

fn hash(oid: &ObjectIdentifier, parts: &[&[u8]]) -> Result<Vec<u8>, SignError> {
    let alg = match *oid {
        ID_SHA256 => &ring::digest::SHA256,
        ID_SHA384 => &ring::digest::SHA384,
        ID_SHA512 => &ring::digest::SHA512,
        _ => return Err(SignError::Unsupported(format!("digest {oid}"))),
    };
    let mut ctx = ring::digest::Context::new(alg);
    for p in parts {
        ctx.update(p);
    }
    Ok(ctx.finish().as_ref().to_vec())
}
