// Key pairs made by jose, and the DIDs lib.mjs derives from a JWK.
// Case: {alg} to generate a key pair, or {jwk} to derive the DIDs of a given public JWK.
// Result: {privateJwk, publicJwk, didKey, didJwk, didJwkAsExported}: didKey is null for RSA
// (no did:key form); didJwk has the JWK members sorted, didJwkAsExported in jose's order.
import { exportJWK, generateKeyPair } from 'jose'
import { didJwk, didKey, runCases } from './lib.mjs'

await runCases(async ({ alg, jwk }) => {
  let privateJwk = null
  let publicJwk = jwk
  if (alg) {
    const pair = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 })
    privateJwk = { ...(await exportJWK(pair.privateKey)), alg }
    publicJwk = await exportJWK(pair.publicKey)
  }
  return {
    privateJwk,
    publicJwk,
    didKey: publicJwk.kty === 'RSA' ? null : didKey(publicJwk),
    didJwk: didJwk(publicJwk),
    didJwkAsExported: didJwk(publicJwk, { sorted: false }),
  }
})
