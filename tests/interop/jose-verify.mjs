// jose verifies a token with a public JWK (or the key embedded in the header), an algorithm
// allow-list and a required typ.
// Case: {token, jwk | embedded: true, alg, algorithms, typ?, currentDate?, clockTolerance?, api?}
//   api "jwtVerify" (default): the payload must be a JWT claims set; exp/nbf are checked at
//   currentDate (seconds; default now) with clockTolerance (seconds; default 0).
//   api "compactVerify": signature and header only.
// Result: {header, payload} (payload parsed as JSON), or {ok: false, error}.
import { compactVerify, EmbeddedJWK, importJWK, jwtVerify } from 'jose'
import { runCases } from './lib.mjs'

await runCases(async (item) => {
  const { token, jwk, embedded, alg, algorithms, typ, currentDate, clockTolerance, api = 'jwtVerify' } = item
  const key = embedded ? EmbeddedJWK : await importJWK(jwk, alg)
  if (api === 'compactVerify') {
    const { payload, protectedHeader } = await compactVerify(token, key, { algorithms })
    if (typ !== undefined && protectedHeader.typ !== typ) throw new Error(`unexpected typ ${protectedHeader.typ}`)
    return { header: protectedHeader, payload: JSON.parse(new TextDecoder().decode(payload)) }
  }
  const date = currentDate === undefined ? undefined : new Date(currentDate * 1000)
  const options = { algorithms, typ, currentDate: date, clockTolerance }
  const { payload, protectedHeader } = await jwtVerify(token, key, options)
  return { header: protectedHeader, payload }
})
