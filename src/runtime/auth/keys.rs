//! RSA keys from PEM text: the public keys tenants publish (`public_key` in
//! `/v3/tenants`) to verify tokens with, and, for `tapis::testing`, the
//! private key the test server signs with.
//!
//! Read here rather than with jsonwebtoken's `use_pem` feature: that feature
//! brings a general ASN.1 library with date and big-number crates (about 5 s
//! of CPU in every user's clean build) to do what one walk over two fixed DER
//! structures does. The envelopes are read here, and a public key's modulus
//! and exponent found; the numbers themselves are checked by ring when a
//! token is verified or signed.

use base64::Engine as _;
use jsonwebtoken::DecodingKey;

/// DER of the object identifier `rsaEncryption` (1.2.840.113549.1.1.1).
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
#[cfg(feature = "testing")]
const OCTET_STRING: u8 = 0x04;
const OBJECT_IDENTIFIER: u8 = 0x06;

const MALFORMED_RSA: KeyError = KeyError("malformed RSA public key");

/// Why a PEM key was not usable; names the problem, never the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub struct KeyError(&'static str);

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// An RSA public key to verify tokens with, from a `PUBLIC KEY` (X.509
/// SubjectPublicKeyInfo, what Tapis tenants publish) or `RSA PUBLIC KEY`
/// (PKCS #1) PEM block.
#[doc(hidden)]
pub fn rsa_public_key(pem: &str) -> Result<DecodingKey, KeyError> {
    let (label, der) = pem_block(pem)?;
    let pkcs1 = match label {
        "PUBLIC KEY" => subject_public_key(&der)?,
        "RSA PUBLIC KEY" => &der[..],
        _ => return Err(KeyError("not a `PUBLIC KEY` or `RSA PUBLIC KEY` PEM block")),
    };
    // RSAPublicKey: SEQUENCE { modulus INTEGER, publicExponent INTEGER }.
    let mut numbers = Der(Der::only(pkcs1, SEQUENCE).ok_or(MALFORMED_RSA)?);
    numbers.next(INTEGER).ok_or(MALFORMED_RSA)?;
    numbers.next(INTEGER).ok_or(MALFORMED_RSA)?;
    if !numbers.0.is_empty() {
        return Err(MALFORMED_RSA);
    }
    Ok(DecodingKey::from_rsa_der(pkcs1))
}

/// An RSA private key to sign tokens with, from a `PRIVATE KEY` (PKCS #8)
/// or `RSA PRIVATE KEY` (PKCS #1) PEM block.
#[cfg(feature = "testing")]
#[doc(hidden)]
pub fn rsa_private_key(pem: &str) -> Result<jsonwebtoken::EncodingKey, KeyError> {
    let (label, der) = pem_block(pem)?;
    let pkcs1 = match label {
        "PRIVATE KEY" => private_key_info(&der)?,
        "RSA PRIVATE KEY" => &der[..],
        _ => {
            return Err(KeyError(
                "not a `PRIVATE KEY` or `RSA PRIVATE KEY` PEM block",
            ))
        }
    };
    Ok(jsonwebtoken::EncodingKey::from_rsa_der(pkcs1))
}

/// The label and decoded contents of the first PEM block of `text`
/// (RFC 7468: text around the block is ignored, white space inside its
/// base64 too).
fn pem_block(text: &str) -> Result<(&str, Vec<u8>), KeyError> {
    const NO_BLOCK: KeyError = KeyError("no PEM block (`-----BEGIN ...-----`)");
    let (_, after_begin) = text.split_once("-----BEGIN ").ok_or(NO_BLOCK)?;
    let (label, rest) = after_begin.split_once("-----").ok_or(NO_BLOCK)?;
    let (body, after_body) = rest
        .split_once("-----END ")
        .ok_or(KeyError("the PEM block has no `-----END` line"))?;
    if !after_body
        .strip_prefix(label)
        .is_some_and(|end| end.starts_with("-----"))
    {
        return Err(KeyError(
            "the PEM block ends with another label than it begins",
        ));
    }
    let base64: String = body.split_ascii_whitespace().collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|_| KeyError("the PEM block is not base64"))?;
    Ok((label, der))
}

/// The PKCS #1 `RSAPublicKey` inside a SubjectPublicKeyInfo:
/// `SEQUENCE { SEQUENCE { rsaEncryption, .. }, BIT STRING }`.
fn subject_public_key(der: &[u8]) -> Result<&[u8], KeyError> {
    const MALFORMED: KeyError = KeyError("malformed SubjectPublicKeyInfo");
    let mut fields = Der(Der::only(der, SEQUENCE).ok_or(MALFORMED)?);
    let algorithm = fields.next(SEQUENCE).ok_or(MALFORMED)?;
    check_rsa(algorithm)?;
    let bits = fields.next(BIT_STRING).ok_or(MALFORMED)?;
    if !fields.0.is_empty() {
        return Err(MALFORMED);
    }
    // A key is a whole number of bytes: no unused bits.
    match bits.split_first() {
        Some((0, key)) => Ok(key),
        _ => Err(MALFORMED),
    }
}

/// The PKCS #1 `RSAPrivateKey` inside a PKCS #8 PrivateKeyInfo:
/// `SEQUENCE { INTEGER, SEQUENCE { rsaEncryption, .. }, OCTET STRING, .. }`.
#[cfg(feature = "testing")]
fn private_key_info(der: &[u8]) -> Result<&[u8], KeyError> {
    const MALFORMED: KeyError = KeyError("malformed PKCS #8 PrivateKeyInfo");
    let mut fields = Der(Der::only(der, SEQUENCE).ok_or(MALFORMED)?);
    fields.next(INTEGER).ok_or(MALFORMED)?;
    check_rsa(fields.next(SEQUENCE).ok_or(MALFORMED)?)?;
    fields.next(OCTET_STRING).ok_or(MALFORMED)
}

/// An AlgorithmIdentifier's contents must name `rsaEncryption`.
fn check_rsa(algorithm: &[u8]) -> Result<(), KeyError> {
    match Der(algorithm).next(OBJECT_IDENTIFIER) {
        Some(RSA_ENCRYPTION) => Ok(()),
        Some(_) => Err(KeyError("not an RSA key")),
        None => Err(KeyError("malformed algorithm identifier")),
    }
}

/// DER elements read one after the other from the front of a slice.
struct Der<'a>(&'a [u8]);

impl<'a> Der<'a> {
    /// The contents of `der` when it is exactly one element tagged `tag`.
    fn only(der: &'a [u8], tag: u8) -> Option<&'a [u8]> {
        let mut all = Der(der);
        let contents = all.next(tag)?;
        all.0.is_empty().then_some(contents)
    }

    /// The contents of the next element if it is tagged `tag`; `None` if it
    /// is not, or its length is malformed or runs past the input.
    fn next(&mut self, tag: u8) -> Option<&'a [u8]> {
        let (&found, rest) = self.0.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            // Long form: the low bits count the length's bytes (at most 4
            // here: no key is 4 GiB; 0 is BER's indefinite length).
            let count = usize::from(first & 0x7f);
            if !(1..=4).contains(&count) || rest.len() < count {
                return None;
            }
            let (bytes, rest) = rest.split_at(count);
            let len = bytes
                .iter()
                .fold(0usize, |len, &b| (len << 8) | usize::from(b));
            (len, rest)
        };
        if found != tag || rest.len() < len {
            return None;
        }
        let (contents, after) = rest.split_at(len);
        self.0 = after;
        Some(contents)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = include_str!("../../testing/test-key.pub.pem");
    const PRIVATE: &str = include_str!("../../testing/test-key.pem");

    fn der_of(pem: &str) -> Vec<u8> {
        pem_block(pem).unwrap().1
    }

    fn pem(label: &str, der: &[u8]) -> String {
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
    }

    #[test]
    fn public_keys_read_as_spki_and_as_pkcs1() {
        let spki = der_of(PUBLIC);
        let pkcs1 = subject_public_key(&spki).unwrap();
        // The RSAPublicKey is a SEQUENCE of modulus and exponent.
        assert_eq!(pkcs1[0], SEQUENCE);
        assert!(rsa_public_key(PUBLIC).is_ok());
        assert!(rsa_public_key(&pem("RSA PUBLIC KEY", pkcs1)).is_ok());
        // Text around the block, CRLF and an indented body are fine.
        let noisy = format!("key:\r\n{}\r\n(end)", PUBLIC.replace('\n', "\r\n  "));
        assert!(rsa_public_key(&noisy).is_ok());
    }

    #[test]
    fn what_is_not_an_rsa_public_key_pem_is_named() {
        let err = |text: &str| rsa_public_key(text).err().unwrap().to_string();
        assert!(err("").contains("no PEM block"));
        assert!(err("-----BEGIN PUBLIC KEY-----\nAAAA").contains("no `-----END`"));
        assert!(
            err("-----BEGIN PUBLIC KEY-----\nAA\n-----END PRIVATE KEY-----")
                .contains("another label")
        );
        assert!(
            err("-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----").contains("not base64")
        );
        assert!(err(PRIVATE).contains("not a `PUBLIC KEY`"));
        // An EC key (id-ecPublicKey, 1.2.840.10045.2.1).
        let ec = [
            0x30, 0x13, 0x30, 0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x03,
            0x06, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,
        ];
        assert_eq!(err(&pem("PUBLIC KEY", &ec)), "not an RSA key");
        // An RSA envelope around something that is not two integers.
        let spki = der_of(PUBLIC);
        let inner = subject_public_key(&spki).unwrap();
        assert_eq!(
            err(&pem("RSA PUBLIC KEY", &inner[..inner.len() - 1])),
            "malformed RSA public key"
        );
        assert_eq!(
            err(&pem("RSA PUBLIC KEY", &[0x30, 0x03, 0x02, 0x01, 0x01])),
            "malformed RSA public key"
        );
    }

    #[test]
    fn malformed_der_is_refused_without_panicking() {
        let spki = der_of(PUBLIC);
        // Every truncation, and every single byte changed, either reads or
        // is refused; none panics.
        for n in 0..spki.len() {
            assert!(subject_public_key(&spki[..n]).is_err(), "truncated at {n}");
        }
        for i in 0..spki.len() {
            for b in [0x00, 0x7f, 0x80, 0x81, 0x84, 0x85, 0xff] {
                let mut bad = spki.clone();
                bad[i] = b;
                let _ = rsa_public_key(&pem("PUBLIC KEY", &bad));
            }
        }
        // Trailing bytes after the structure.
        let mut long = spki.clone();
        long.push(0);
        assert!(subject_public_key(&long).is_err());
        // Lengths: indefinite (0x80), more than 4 bytes, past the end.
        assert!(Der(&[0x30, 0x80, 0x00, 0x00]).next(SEQUENCE).is_none());
        assert!(Der(&[0x30, 0x85, 1, 0, 0, 0, 0]).next(SEQUENCE).is_none());
        assert!(Der(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff])
            .next(SEQUENCE)
            .is_none());
        assert_eq!(
            Der(&[0x30, 0x81, 0x01, 0xaa]).next(SEQUENCE),
            Some(&[0xaa][..])
        );
        // Unused bits in the BIT STRING.
        let mut bits = spki;
        let at = bits.len() - subject_public_key(&bits).unwrap().len() - 1;
        bits[at] = 1;
        assert!(subject_public_key(&bits).is_err());
    }

    #[test]
    fn keys_read_as_jsonwebtokens_own_pem_reader_reads_them() {
        // jsonwebtoken's `use_pem` reader is on in tests (a dev-dependency).
        let other = include_str!("../../../tests/fixtures/other-key.pub.pem");
        // A token signed with the test key: each reader's key for the test
        // key accepts it, each one's key for the other key refuses it.
        let signed = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
            &serde_json::json!({"exp": 4_000_000_000u64}),
            &jsonwebtoken::EncodingKey::from_rsa_pem(PRIVATE.as_bytes()).unwrap(),
        )
        .unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.validate_aud = false;
        let check = |key: &DecodingKey| {
            jsonwebtoken::decode::<serde_json::Value>(&signed, key, &validation).is_ok()
        };
        for public in [PUBLIC, other] {
            let ours = rsa_public_key(public).unwrap();
            let theirs = DecodingKey::from_rsa_pem(public.as_bytes()).unwrap();
            assert_eq!(check(&ours), public == PUBLIC);
            assert_eq!(check(&ours), check(&theirs));
        }
    }

    #[cfg(feature = "testing")]
    #[test]
    fn private_keys_read_as_pkcs8_and_as_pkcs1_and_sign_what_the_public_key_verifies() {
        let pkcs8 = der_of(PRIVATE);
        let pkcs1 = private_key_info(&pkcs8).unwrap();
        let claims = serde_json::json!({"sub": "testuser", "exp": 4_000_000_000u64});
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.validate_aud = false;
        let public = rsa_public_key(PUBLIC).unwrap();
        for key in [PRIVATE.to_string(), pem("RSA PRIVATE KEY", pkcs1)] {
            let signing = rsa_private_key(&key).unwrap();
            let jwt = jsonwebtoken::encode(&header, &claims, &signing).unwrap();
            let read =
                jsonwebtoken::decode::<serde_json::Value>(&jwt, &public, &validation).unwrap();
            assert_eq!(read.claims["sub"], "testuser");
        }
        assert!(rsa_private_key(PUBLIC).is_err());
        assert!(private_key_info(&pkcs8[..pkcs8.len() / 2]).is_err());
    }
}
