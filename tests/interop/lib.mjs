// Shared by the interop scripts: a JSON array of cases on stdin, a JSON array of results on
// stdout (one per case, in order). A case that throws gives {ok: false, error: {name, code, message}}.
// DIDs are derived here from the JWKs, independently of czmc, and resolved without network.
import { base64url } from 'jose'
import { bytesToMultibase, multibaseToBytes } from 'did-jwt'
import { Resolver } from 'did-resolver'

export async function runCases(handle) {
  let text = ''
  for await (const chunk of process.stdin) text += chunk
  const results = []
  for (const item of JSON.parse(text)) {
    try {
      results.push({ ok: true, ...(await handle(item)) })
    } catch (error) {
      results.push({ ok: false, error: { name: error.name, code: error.code ?? null, message: String(error.message) } })
    }
  }
  process.stdout.write(JSON.stringify(results))
}

export function decodeJson(segment) {
  return JSON.parse(new TextDecoder().decode(base64url.decode(segment)))
}

// did:key (did:key v0.9): Ed25519 raw key, or P-256 compressed point, multicodec-prefixed, base58btc.
export function didKey(jwk) {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    return 'did:key:' + bytesToMultibase(base64url.decode(jwk.x), 'base58btc', 'ed25519-pub')
  }
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') {
    const y = base64url.decode(jwk.y)
    const compressed = new Uint8Array([2 + (y[31] & 1), ...base64url.decode(jwk.x)])
    return 'did:key:' + bytesToMultibase(compressed, 'base58btc', 'p256-pub')
  }
  throw new Error(`no did:key for kty=${jwk.kty} crv=${jwk.crv}`)
}

// did:jwk: base64url of the public JWK's JSON; members sorted unless told otherwise.
export function didJwk(jwk, { sorted = true } = {}) {
  const { d, p, q, dp, dq, qi, ...publicJwk } = jwk
  const members = sorted ? Object.keys(publicJwk).sort() : Object.keys(publicJwk)
  const json = JSON.stringify(Object.fromEntries(members.map((name) => [name, publicJwk[name]])))
  return 'did:jwk:' + base64url.encode(json)
}

export function kidOf(did) {
  return did.startsWith('did:key:') ? `${did}#${did.slice('did:key:'.length)}` : `${did}#0`
}

function didDocument(did, method) {
  const id = kidOf(did)
  return {
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: did,
    verificationMethod: [{ id, controller: did, ...method }],
    assertionMethod: [id],
    authentication: [id],
  }
}

function resolved(didDocument) {
  return { didResolutionMetadata: { contentType: 'application/did+json' }, didDocument, didDocumentMetadata: {} }
}

// A did-resolver Resolver for did:key and did:jwk; `documents` ({did: document}) replace the derived
// ones, and are the only source of did:web documents (no network).
export function makeResolver(documents = {}) {
  const lookup = (derive) => async (did, parsed) => {
    if (documents[did]) return resolved(documents[did])
    try {
      return resolved(derive(did, parsed))
    } catch (error) {
      const didResolutionMetadata = { error: 'invalidDid', message: error.message }
      return { didResolutionMetadata, didDocument: null, didDocumentMetadata: {} }
    }
  }
  return new Resolver({
    web: lookup((did) => {
      throw new Error(`${did}: did:web documents must be given`)
    }),
    key: lookup((did, parsed) => {
      const { keyType } = multibaseToBytes(parsed.id)
      if (keyType !== 'Ed25519' && keyType !== 'P-256') throw new Error(`unsupported did:key type ${keyType}`)
      return didDocument(did, { type: 'Multikey', publicKeyMultibase: parsed.id })
    }),
    jwk: lookup((did, parsed) => {
      const publicKeyJwk = decodeJson(parsed.id)
      if ('d' in publicKeyJwk) throw new Error('did:jwk with a private key')
      return didDocument(did, { type: 'JsonWebKey2020', publicKeyJwk })
    }),
  })
}
