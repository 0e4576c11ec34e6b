// did-jwt-vc verifies a `vc`-claim JWT, resolving the issuer DID (did:key, did:jwk) offline.
// Case: {token, policies?, proofPurpose?, documents?}
//   policies: did-jwt-vc's VerifyCredentialPolicies, e.g. {now: seconds, format: false};
//   documents: {did: DID document} to use instead of the documents lib.mjs derives.
// Result: {payload, issuer, signer (verification method id), credential (normalised W3C form)}.
import { verifyCredential } from 'did-jwt-vc'
import { makeResolver, runCases } from './lib.mjs'

await runCases(async ({ token, policies, proofPurpose = 'assertionMethod', documents }) => {
  const verified = await verifyCredential(token, makeResolver(documents), { policies, proofPurpose })
  const { proof, ...credential } = verified.verifiableCredential
  return { payload: verified.payload, issuer: verified.issuer, signer: verified.signer.id, credential }
})
