//! A security key in software, for the WebAuthn tests over HTTP: it answers the options the
//! server sends (`navigator.credentials.create` / `get`) with the JSON a browser would post,
//! signed with its own P-256 key. Like a real key, it signs for one relying party and counts its
//! signatures; unlike one, a test can make it lie (another origin, a counter going back).
//! The browser suite uses Chromium's virtual authenticator instead.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::Value as Cbor;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// User present, user verified (a PIN or a fingerprint), attested credential data included.
const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

pub struct SoftKey {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    /// The user handle the server gave at registration (returned at a passwordless sign-in).
    pub user_handle: Vec<u8>,
    pub rp_id: String,
    /// The origin the "browser" puts in its client data.
    pub origin: String,
    /// The signature counter; `get` adds one first.
    pub counter: u32,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .expect("base64url in the options")
}

fn cbor(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("CBOR");
    out
}

fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": kind,
        "challenge": challenge,
        "origin": origin,
        "crossOrigin": false,
    }))
    .expect("client data")
}

impl SoftKey {
    /// Registers a new credential from `options` (the server's JSON for `create`), as a browser
    /// at `origin` would; returns the key and the JSON to post back.
    pub fn create(options: &str, origin: &str) -> (SoftKey, String) {
        let options: Value = serde_json::from_str(options).expect("options JSON");
        let public_key = &options["publicKey"];
        let rp_id = public_key["rp"]["id"].as_str().expect("rp.id").to_owned();
        let challenge = public_key["challenge"].as_str().expect("challenge");
        let user_handle = unb64(public_key["user"]["id"].as_str().expect("user.id"));
        let key = SigningKey::random(&mut rand_core::OsRng);
        let mut credential_id = vec![0u8; 32];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut credential_id);
        let soft = SoftKey {
            key,
            credential_id,
            user_handle,
            rp_id,
            origin: origin.to_owned(),
            counter: 1,
        };
        let point = soft.key.verifying_key().to_encoded_point(false);
        let cose = Cbor::Map(vec![
            (Cbor::Integer(1.into()), Cbor::Integer(2.into())),
            (Cbor::Integer(3.into()), Cbor::Integer((-7).into())),
            (Cbor::Integer((-1).into()), Cbor::Integer(1.into())),
            (
                Cbor::Integer((-2).into()),
                Cbor::Bytes(point.x().expect("x").to_vec()),
            ),
            (
                Cbor::Integer((-3).into()),
                Cbor::Bytes(point.y().expect("y").to_vec()),
            ),
        ]);
        let mut auth_data = soft.auth_data_head(UP | UV | AT);
        auth_data.extend_from_slice(&[0u8; 16]);
        let id_len = u16::try_from(soft.credential_id.len()).expect("id length");
        auth_data.extend_from_slice(&id_len.to_be_bytes());
        auth_data.extend_from_slice(&soft.credential_id);
        auth_data.extend_from_slice(&cbor(&cose));
        let attestation = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(vec![])),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]);
        let answer = json!({
            "id": b64(&soft.credential_id),
            "rawId": b64(&soft.credential_id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&cbor(&attestation)),
                "clientDataJSON": b64(&client_data("webauthn.create", challenge, origin)),
                "transports": ["usb"],
            },
            "clientExtensionResults": { "credProps": { "rk": true } },
        });
        (soft, answer.to_string())
    }

    /// The relying party's hash, the flags and the counter.
    fn auth_data_head(&self, flags: u8) -> Vec<u8> {
        let mut data = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&self.counter.to_be_bytes());
        data
    }

    /// Answers `options` (the server's JSON for `get`): the next counter value, signed.
    pub fn get(&mut self, options: &str) -> String {
        self.counter += 1;
        self.answer(options, self.counter)
    }

    /// Answers with `counter` as it is, as a cloned key would.
    pub fn get_with_counter(&self, options: &str, counter: u32) -> String {
        self.answer(options, counter)
    }

    fn answer(&self, options: &str, counter: u32) -> String {
        let options: Value = serde_json::from_str(options).expect("options JSON");
        let challenge = options["publicKey"]["challenge"]
            .as_str()
            .expect("challenge");
        let mut auth_data = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        auth_data.push(UP | UV);
        auth_data.extend_from_slice(&counter.to_be_bytes());
        let client_data = client_data("webauthn.get", challenge, &self.origin);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": b64(&self.user_handle),
            },
            "clientExtensionResults": {},
        })
        .to_string()
    }
}
