//! PKCS #12 (RFC 7292): reading an office's key and certificate chain, and
//! writing the demo ones. Written and read: PBES2 (PBKDF2-HMAC-SHA-256,
//! AES-256-CBC) for the key and certificate bags and an HMAC-SHA-256 MAC,
//! as OpenSSL 3 writes by default. Also read: an HMAC-SHA-1 MAC and
//! unencrypted certificate bags. Not read: the legacy PKCS #12 PBE
//! algorithms (3DES, RC2, RC4) that older tools still write — convert such
//! a file with `openssl pkcs12` first.

use cms::content_info::{CmsVersion, ContentInfo};
use cms::encrypted_data::EncryptedData;
use cms::enveloped_data::EncryptedContentInfo;
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Any, Decode, Encode};
use hmac::{Hmac, Mac};
use pkcs12::cert_type::CertBag;
use pkcs12::digest_info::DigestInfo;
use pkcs12::kdf::{Pkcs12KeyType, derive_key_utf8};
use pkcs12::mac_data::MacData;
use pkcs12::pbe_params::EncryptedPrivateKeyInfo;
use pkcs12::pfx::{Pfx, Version};
use pkcs12::safe_bag::SafeBag;
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Sha256, digest::Digest};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;

use super::SignError;
use super::cades::{ID_DATA, ID_SHA256};

const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
const MAC_ITERATIONS: i32 = 2048;
const PBKDF2_ITERATIONS: u32 = 2048;

/// A private key (PKCS #8 DER) and certificates (DER), the key's own first
/// when it can be told.
pub struct Contents {
    pub key: Vec<u8>,
    pub certs: Vec<Vec<u8>>,
}

fn der_err(e: der::Error) -> SignError {
    SignError::Pkcs12(e.to_string())
}

fn random<const N: usize>() -> Result<[u8; N], SignError> {
    let mut b = [0u8; N];
    SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| SignError::Pkcs12("no randomness".into()))?;
    Ok(b)
}

fn mac(
    password: &str,
    salt: &[u8],
    iterations: i32,
    alg: ObjectIdentifier,
    data: &[u8],
) -> Result<Vec<u8>, SignError> {
    match alg {
        ID_SHA256 => {
            let key = derive_key_utf8::<Sha256>(password, salt, Pkcs12KeyType::Mac, iterations, 32)
                .map_err(der_err)?;
            let mut m = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
            m.update(data);
            Ok(m.finalize().into_bytes().to_vec())
        }
        ID_SHA1 => {
            let key =
                derive_key_utf8::<sha1::Sha1>(password, salt, Pkcs12KeyType::Mac, iterations, 20)
                    .map_err(der_err)?;
            let mut m = Hmac::<sha1::Sha1>::new_from_slice(&key).expect("any key length");
            m.update(data);
            Ok(m.finalize().into_bytes().to_vec())
        }
        other => Err(SignError::Unsupported(format!("PKCS #12 MAC {other}"))),
    }
}

fn decrypt(
    alg: &AlgorithmIdentifierOwned,
    password: &str,
    data: &[u8],
) -> Result<Vec<u8>, SignError> {
    let alg_der = alg.to_der().map_err(der_err)?;
    let scheme = pkcs5::EncryptionScheme::from_der(&alg_der).map_err(|_| {
        SignError::Unsupported(format!(
            "PKCS #12 encryption {} (only PBES2 is read; convert with openssl pkcs12)",
            alg.oid
        ))
    })?;
    scheme
        .decrypt(password.as_bytes(), data)
        .map_err(|_| SignError::WrongPassword)
}

fn encrypt(password: &str, data: &[u8]) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), SignError> {
    let salt: [u8; 16] = random()?;
    let iv: [u8; 16] = random()?;
    let params = pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(PBKDF2_ITERATIONS, &salt, &iv)
        .map_err(|e| SignError::Pkcs12(e.to_string()))?;
    let scheme = pkcs5::EncryptionScheme::from(params);
    let ct = scheme
        .encrypt(password.as_bytes(), data)
        .map_err(|e| SignError::Pkcs12(e.to_string()))?;
    let alg =
        AlgorithmIdentifierOwned::from_der(&scheme.to_der().map_err(der_err)?).map_err(der_err)?;
    Ok((alg, ct))
}

/// Reads a PKCS #12 file: checks its MAC, decrypts its bags.
pub fn read(der: &[u8], password: &str) -> Result<Contents, SignError> {
    let pfx = Pfx::from_der(der).map_err(der_err)?;
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(SignError::Unsupported(
            "public-key protected PKCS #12".into(),
        ));
    }
    let auth_bytes = pfx
        .auth_safe
        .content
        .decode_as::<OctetString>()
        .map_err(der_err)?;
    let auth_bytes = auth_bytes.as_bytes();
    if let Some(m) = &pfx.mac_data {
        let want = mac(
            password,
            m.mac_salt.as_bytes(),
            m.iterations,
            m.mac.algorithm.oid,
            auth_bytes,
        )?;
        if want != m.mac.digest.as_bytes() {
            return Err(SignError::WrongPassword);
        }
    }
    let safes = Vec::<ContentInfo>::from_der(auth_bytes).map_err(der_err)?;
    let mut keys: Vec<(Vec<u8>, Option<Vec<u8>>)> = Vec::new();
    let mut certs: Vec<(Vec<u8>, Option<Vec<u8>>)> = Vec::new();
    for ci in safes {
        let bags_der = if ci.content_type == ID_DATA {
            ci.content
                .decode_as::<OctetString>()
                .map_err(der_err)?
                .as_bytes()
                .to_vec()
        } else if ci.content_type == ID_ENCRYPTED_DATA {
            let ed: EncryptedData = ci.content.decode_as().map_err(der_err)?;
            let ct = ed
                .enc_content_info
                .encrypted_content
                .as_ref()
                .ok_or_else(|| SignError::Pkcs12("empty encrypted bag".into()))?;
            decrypt(
                &ed.enc_content_info.content_enc_alg,
                password,
                ct.as_bytes(),
            )?
        } else {
            continue;
        };
        let bags = Vec::<SafeBag>::from_der(&bags_der).map_err(der_err)?;
        for mut bag in bags {
            // pkcs12 0.1.0 decodes the value with its [0] EXPLICIT wrapper
            // (and encodes it without): unwrap it.
            if bag.bag_value.first() == Some(&0xA0) {
                let inner = der::asn1::AnyRef::from_der(&bag.bag_value).map_err(der_err)?;
                bag.bag_value = inner.value().to_vec();
            }
            let id = bag.bag_attributes.as_ref().and_then(|attrs| {
                attrs
                    .iter()
                    .find(|a| a.oid == LOCAL_KEY_ID)
                    .and_then(|a| a.values.iter().next())
                    .and_then(|v| v.decode_as::<OctetString>().ok())
                    .map(|o| o.as_bytes().to_vec())
            });
            match bag.bag_id {
                pkcs12::PKCS_12_PKCS8_KEY_BAG_OID => {
                    let epki =
                        EncryptedPrivateKeyInfo::from_der(&bag.bag_value).map_err(der_err)?;
                    let key = decrypt(
                        &epki.encryption_algorithm,
                        password,
                        epki.encrypted_data.as_bytes(),
                    )?;
                    keys.push((key, id));
                }
                pkcs12::PKCS_12_KEY_BAG_OID => keys.push((bag.bag_value.clone(), id)),
                pkcs12::PKCS_12_CERT_BAG_OID => {
                    let cb = CertBag::from_der(&bag.bag_value).map_err(der_err)?;
                    if cb.cert_id == pkcs12::PKCS_12_X509_CERT_OID {
                        certs.push((cb.cert_value.as_bytes().to_vec(), id));
                    }
                }
                _ => {}
            }
        }
    }
    let (key, key_id) = keys
        .into_iter()
        .next()
        .ok_or_else(|| SignError::Pkcs12("no private key in the file".into()))?;
    // The key's certificate first: by local key id, else keep file order
    // (the signer matches the key against the certificates later).
    if let Some(kid) = &key_id
        && let Some(pos) = certs.iter().position(|(_, id)| id.as_ref() == Some(kid))
    {
        let own = certs.remove(pos);
        certs.insert(0, own);
    }
    Ok(Contents {
        key,
        certs: certs.into_iter().map(|(c, _)| c).collect(),
    })
}

fn attr(oid: ObjectIdentifier, value: Any) -> Result<Attribute, SignError> {
    let mut values = der::asn1::SetOfVec::new();
    values.insert(value).map_err(der_err)?;
    Ok(Attribute { oid, values })
}

/// Writes a PKCS #12 file holding `key` (PKCS #8 DER) and `certs` (DER,
/// the key's certificate first), named `friendly`.
pub fn write(
    key: &[u8],
    certs: &[Vec<u8>],
    friendly: &str,
    password: &str,
) -> Result<Vec<u8>, SignError> {
    let local_id = Sha256::digest(certs.first().ok_or(SignError::NoCertificate)?)[..20].to_vec();
    let id_attr = || -> Result<Attribute, SignError> {
        attr(
            LOCAL_KEY_ID,
            Any::encode_from(&OctetString::new(local_id.clone()).map_err(der_err)?)
                .map_err(der_err)?,
        )
    };
    let name_attr = attr(
        FRIENDLY_NAME,
        Any::encode_from(&der::asn1::BmpString::from_utf8(friendly).map_err(der_err)?)
            .map_err(der_err)?,
    )?;

    // Certificates, encrypted together.
    let mut cert_bags = Vec::new();
    for (i, c) in certs.iter().enumerate() {
        let bag = CertBag {
            cert_id: pkcs12::PKCS_12_X509_CERT_OID,
            cert_value: OctetString::new(c.clone()).map_err(der_err)?,
        };
        let attrs = if i == 0 {
            let mut set = der::asn1::SetOfVec::new();
            set.insert(id_attr()?).map_err(der_err)?;
            set.insert(name_attr.clone()).map_err(der_err)?;
            Some(set)
        } else {
            None
        };
        cert_bags.push(SafeBag {
            bag_id: pkcs12::PKCS_12_CERT_BAG_OID,
            bag_value: bag.to_der().map_err(der_err)?,
            bag_attributes: attrs,
        });
    }
    let (alg, ct) = encrypt(password, &cert_bags.to_der().map_err(der_err)?)?;
    let certs_ci = ContentInfo {
        content_type: ID_ENCRYPTED_DATA,
        content: Any::encode_from(&EncryptedData {
            version: CmsVersion::V0,
            enc_content_info: EncryptedContentInfo {
                content_type: ID_DATA,
                content_enc_alg: alg,
                encrypted_content: Some(OctetString::new(ct).map_err(der_err)?),
            },
            unprotected_attrs: None,
        })
        .map_err(der_err)?,
    };

    // The key, in a shrouded bag.
    let (alg, ct) = encrypt(password, key)?;
    let epki = EncryptedPrivateKeyInfo {
        encryption_algorithm: alg,
        encrypted_data: OctetString::new(ct).map_err(der_err)?,
    };
    let mut key_attrs = der::asn1::SetOfVec::new();
    key_attrs.insert(id_attr()?).map_err(der_err)?;
    key_attrs.insert(name_attr).map_err(der_err)?;
    let key_bags = vec![SafeBag {
        bag_id: pkcs12::PKCS_12_PKCS8_KEY_BAG_OID,
        bag_value: epki.to_der().map_err(der_err)?,
        bag_attributes: Some(key_attrs),
    }];
    let key_ci = ContentInfo {
        content_type: ID_DATA,
        content: Any::encode_from(
            &OctetString::new(key_bags.to_der().map_err(der_err)?).map_err(der_err)?,
        )
        .map_err(der_err)?,
    };

    let auth = vec![certs_ci, key_ci].to_der().map_err(der_err)?;
    let salt: [u8; 16] = random()?;
    let digest = mac(password, &salt, MAC_ITERATIONS, ID_SHA256, &auth)?;
    let pfx = Pfx {
        version: Version::V3,
        auth_safe: ContentInfo {
            content_type: ID_DATA,
            content: Any::encode_from(&OctetString::new(auth).map_err(der_err)?)
                .map_err(der_err)?,
        },
        mac_data: Some(MacData {
            mac: DigestInfo {
                algorithm: AlgorithmIdentifierOwned {
                    oid: ID_SHA256,
                    parameters: None,
                },
                digest: OctetString::new(digest).map_err(der_err)?,
            },
            mac_salt: OctetString::new(salt.to_vec()).map_err(der_err)?,
            iterations: MAC_ITERATIONS,
        }),
    };
    pfx.to_der().map_err(der_err)
}
