// did-jwt-vc (or, for payloads it refuses, did-jwt itself) signs a VC 1.1 `vc`-claim JWT.
// Case: {credential, jwk, did, kid, removeOriginalFields?} -> createVerifiableCredentialJwt,
//       which always validates the payload (VC 1.1 base context, VerifiableCredential type,
//       non-empty credentialSubject, nbf/exp in seconds) and has no option to skip that;
//   or  {payload, jwk, did, kid} -> did-jwt createJWT with the JWT payload as given (no iat added).
// jwk is the issuer's private JWK (EdDSA or ES256); header: {alg, kid, typ: "JWT"}.
// Result: {token}.
import { createJWT, EdDSASigner, ES256Signer } from 'did-jwt'
import { createVerifiableCredentialJwt } from 'did-jwt-vc'
import { base64url } from 'jose'
import { runCases } from './lib.mjs'

function signerFor(jwk) {
  const d = base64url.decode(jwk.d)
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return { alg: 'EdDSA', signer: EdDSASigner(d) }
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return { alg: 'ES256', signer: ES256Signer(d) }
  throw new Error(`did-jwt has no signer for kty=${jwk.kty} crv=${jwk.crv}`)
}

await runCases(async ({ credential, payload, jwk, did, kid, removeOriginalFields = true }) => {
  const { alg, signer } = signerFor(jwk)
  if (payload) return { token: await createJWT({ iat: undefined, ...payload }, { issuer: did, signer }, { alg, kid }) }
  const options = { header: { kid }, removeOriginalFields }
  return { token: await createVerifiableCredentialJwt(credential, { did, signer, alg }, options) }
})
