//! The demo's certificate authority: one CA, one certificate per demo
//! office, ECDSA P-256. **For trying saraban only**: nobody vouches for
//! these certificates, every name in them says so, and a viewer will show
//! the signatures as valid but the signer as unknown until someone chooses
//! to trust the demo CA's certificate ([`DemoCa::certificate_pem`]).

use chrono::{DateTime, Duration, Utc};
use der::{Encode, EncodePem};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use super::SignError;
use super::pkcs12;
use super::x509::{self, CertSpec, Key};

/// Said in every demo certificate's organisation name.
pub const DEMO_ORGANISATION: &str = "saraban demo - for trying only (ใช้ทดลองเท่านั้น)";

/// A demo certificate authority: its key and self-signed certificate.
pub struct DemoCa {
    key: Key,
    key_pkcs8: Vec<u8>,
    cert: Certificate,
    cert_der: Vec<u8>,
    now: DateTime<Utc>,
}

/// A demo CA named `name`, valid from a day before now for ten years.
pub fn demo_ca(name: &str) -> Result<DemoCa, SignError> {
    DemoCa::new_at(name, Utc::now())
}

/// Serial numbers: positive, 16 bytes, from what the certificate is for,
/// so the same names give the same serials (keys are random each time).
fn serial(parts: &[&str]) -> Vec<u8> {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let mut s = h.finalize()[..16].to_vec();
    s[0] = (s[0] & 0x7f) | 0x10;
    s
}

impl DemoCa {
    /// A demo CA valid from a day before `now` for ten years.
    pub fn new_at(name: &str, now: DateTime<Utc>) -> Result<DemoCa, SignError> {
        let key_pkcs8 = x509::new_p256_pkcs8()?;
        let key = Key::from_pkcs8(&key_pkcs8)?;
        let subject = x509::name(&[
            ("C", "TH"),
            ("O", DEMO_ORGANISATION),
            ("CN", &format!("{name} (demo CA, not trusted)")),
        ])?;
        let cert = x509::issue(
            CertSpec {
                serial: &serial(&["ca", name]),
                subject,
                not_before: now - Duration::days(1),
                not_after: now + Duration::days(3650),
                is_ca: true,
                public: key.spki()?,
            },
            None,
            &key,
        )?;
        let cert_der = cert
            .to_der()
            .map_err(|e| SignError::Certificate(e.to_string()))?;
        Ok(DemoCa {
            key,
            key_pkcs8,
            cert,
            cert_der,
            now,
        })
    }

    /// The CA's certificate as PEM: import it into a viewer's trusted
    /// certificates to see demo signatures as trusted.
    pub fn certificate_pem(&self) -> String {
        self.cert
            .to_pem(der::pem::LineEnding::LF)
            .expect("a certificate encodes")
    }

    /// The CA's certificate as DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// Issues a certificate for an office, valid from a day before the
    /// CA's `now` for two years, and returns it with its key as a PKCS #12
    /// file and that file's password (random, 24 hex digits).
    pub fn issue(
        &self,
        office_name: &str,
        office_code: &str,
    ) -> Result<(Vec<u8>, String), SignError> {
        let mut pw = [0u8; 12];
        SystemRandom::new()
            .fill(&mut pw)
            .map_err(|_| SignError::Key("no randomness".into()))?;
        let password = hex::encode(pw);
        let der = self.issue_with_password(office_name, office_code, &password)?;
        Ok((der, password))
    }

    /// [`DemoCa::issue`] with a chosen password.
    pub fn issue_with_password(
        &self,
        office_name: &str,
        office_code: &str,
        password: &str,
    ) -> Result<Vec<u8>, SignError> {
        let key_pkcs8 = x509::new_p256_pkcs8()?;
        let key = Key::from_pkcs8(&key_pkcs8)?;
        let mut parts = vec![("C", "TH"), ("O", DEMO_ORGANISATION)];
        if !office_code.is_empty() {
            parts.push(("OU", office_code));
        }
        let cn = format!("{office_name} (demo)");
        parts.push(("CN", &cn));
        let cert = x509::issue(
            CertSpec {
                serial: &serial(&["office", office_name, office_code]),
                subject: x509::name(&parts)?,
                not_before: self.now - Duration::days(1),
                not_after: self.now + Duration::days(730),
                is_ca: false,
                public: key.spki()?,
            },
            Some(&self.cert),
            &self.key,
        )?;
        let cert_der = cert
            .to_der()
            .map_err(|e| SignError::Certificate(e.to_string()))?;
        pkcs12::write(
            &key_pkcs8,
            &[cert_der, self.cert_der.clone()],
            office_name,
            password,
        )
    }

    /// The CA itself as a PKCS #12 file, to keep it across restarts.
    pub fn to_pkcs12(&self, password: &str) -> Result<Vec<u8>, SignError> {
        pkcs12::write(
            &self.key_pkcs8,
            std::slice::from_ref(&self.cert_der),
            "saraban demo CA",
            password,
        )
    }

    /// A CA kept with [`DemoCa::to_pkcs12`]; new certificates are dated
    /// from `now`.
    pub fn from_pkcs12(
        der: &[u8],
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<DemoCa, SignError> {
        let contents = pkcs12::read(der, password)?;
        let key = Key::from_pkcs8(&contents.key)?;
        let cert_der = contents
            .certs
            .into_iter()
            .next()
            .ok_or(SignError::NoCertificate)?;
        let cert = x509::parse(&cert_der)?;
        if cert
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .raw_bytes()
            != key.public_key()
        {
            return Err(SignError::KeyMismatch);
        }
        Ok(DemoCa {
            key,
            key_pkcs8: contents.key,
            cert,
            cert_der,
            now,
        })
    }
}
