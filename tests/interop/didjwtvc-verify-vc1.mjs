// did-jwt-vc verifies a VC 1.1 `vc`-claim JWT exactly as an application calling it plainly would:
// verifyCredential(token, resolver) with its DEFAULT policies (no overrides: the format checks on,
// nbf/iat/exp against the real clock, proof purpose assertionMethod). The issuer's DID resolves
// offline: did:key and did:jwk are derived (lib.mjs), other DIDs (did:web) only from `documents`.
// Case: {token, documents?: [DID document, ...]}
// Result: {issuer, signer (verification method id), credential (did-jwt-vc's normalised form)},
//   or {ok: false, error: {name, code, message}} when did-jwt-vc refuses the token.
import { verifyCredential } from 'did-jwt-vc'
import { makeResolver, runCases } from './lib.mjs'

await runCases(async ({ token, documents = [] }) => {
  const byDid = Object.fromEntries(documents.map((document) => [document.id, document]))
  const verified = await verifyCredential(token, makeResolver(byDid))
  const { proof, ...credential } = verified.verifiableCredential
  return { issuer: verified.issuer, signer: verified.signer.id, credential }
})
