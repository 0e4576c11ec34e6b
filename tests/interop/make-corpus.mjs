// Writes tests/interop/corpus/: Open Badges 3.0 credentials shaped like those in circulation, made
// with independent tools (jose, did-jwt-vc; didkit's output shape reproduced with jose), valid ones
// and tampered ones, each with the DID documents and contexts it needs and an entry in
// manifest.json saying how to verify it and what the verdict must be (tests/test_interop_corpus.py).
//
//   node make-corpus.mjs [OUT_DIR]      (default: corpus/ beside this script)
//
// Inputs (corpus/inputs/, never written here): a fixed RSA JWK and 1EdTech's license extension
// context (byte-exact, see inputs/SOURCES.md). Deterministic: the other keys come from fixed seeds
// (Ed25519, P-256), every date is fixed, and
// did-jwt-vc's clock is pinned. EdDSA and RS256 signatures, and did-jwt's ES256 (RFC 6979), are
// deterministic, so re-running gives the same bytes; jose's ES256 (WebCrypto) is randomised, so
// those tokens differ on every run and are marked `"deterministic": false` in the manifest.
// Nothing here uses czmc: the corpus is the independent side of the interop tests.
import { createECDH, createHash, createPrivateKey } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ES256Signer, EdDSASigner } from 'did-jwt'
import { createVerifiableCredentialJwt } from 'did-jwt-vc'
import { base64url, CompactSign, importJWK, SignJWT, UnsecuredJWT } from 'jose'
import { didJwk, didKey, kidOf } from './lib.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const OUT = resolve(process.argv[2] ?? join(HERE, 'corpus'))
const VERSIONS = JSON.parse(readFileSync(join(HERE, 'package-lock.json'), 'utf8')).packages
const JOSE = `jose ${VERSIONS['node_modules/jose'].version}`
const DID_JWT_VC = `did-jwt-vc ${VERSIONS['node_modules/did-jwt-vc'].version}`

// --- fixed times ----------------------------------------------------------------------------------

const NOW = '2026-01-15T12:00:00Z' // the moment every case is verified at
const ISSUED = '2025-06-27T12:00:00Z' // validFrom / issuanceDate / nbf = 1751025600
const seconds = (iso) => Date.parse(iso) / 1000
const NOW_S = seconds(NOW)
const ISSUED_S = seconds(ISSUED)
// did-jwt's createJWT stamps `iat` from the clock: pin it to the issuance moment
Date.now = () => ISSUED_S * 1000

// --- contexts -------------------------------------------------------------------------------------

const VC2 = 'https://www.w3.org/ns/credentials/v2'
const VC1 = 'https://www.w3.org/2018/credentials/v1'
// OB 3.0.0 (November 2022) was published as context.json; later versions carry their number
const OB = (version) =>
  `https://purl.imsglobal.org/spec/ob/v3p0/context${version === '3.0.0' ? '' : `-${version}`}.json`
// A made-up national micro-credential profile: an extension context no verifier bundles
const PROFILE_URL = 'https://mc-profile.example/ns/context-1.0.jsonld'
const PROFILE_FILE = 'contexts/mc-profile-context-1.0.jsonld'
// 1EdTech's Creative Commons license extension for OB 3.0 (extensions/licenseExtension)
const LICENSE_URL = 'https://openbadgespec.org/extensions/licenseExtension/context-3.0.0.json'
const LICENSE_FILE = 'inputs/licenseExtension-context-3.0.0.json'
const PROFILE_CONTEXT = {
  '@context': {
    '@version': 1.1,
    '@protected': true,
    xsd: 'http://www.w3.org/2001/XMLSchema#',
    NationalMicroCredential: 'https://mc-profile.example/ns#NationalMicroCredential',
    ectsCredits: { '@id': 'https://mc-profile.example/ns#ectsCredits', '@type': 'xsd:decimal' },
    eqfLevel: { '@id': 'https://mc-profile.example/ns#eqfLevel', '@type': 'xsd:integer' },
    qualityAssurance: { '@id': 'https://mc-profile.example/ns#qualityAssurance', '@type': '@id' },
  },
}

// --- keys and DIDs --------------------------------------------------------------------------------

const seed = (label) => createHash('sha256').update(`czmc interop corpus: ${label}`).digest()

function ed25519(label) {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed(label)])
  const { crv, x, d } = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' })
  return { alg: 'EdDSA', privateJwk: { kty: 'OKP', crv, x, d }, publicJwk: { kty: 'OKP', crv, x } }
}

function p256(label) {
  const ecdh = createECDH('prime256v1')
  ecdh.setPrivateKey(seed(label))
  const point = ecdh.getPublicKey(null, 'uncompressed')
  const publicJwk = {
    kty: 'EC',
    crv: 'P-256',
    x: base64url.encode(point.subarray(1, 33)),
    y: base64url.encode(point.subarray(33, 65)),
  }
  return { alg: 'ES256', privateJwk: { ...publicJwk, d: base64url.encode(ecdh.getPrivateKey()) }, publicJwk }
}

function rsa(file) {
  const privateJwk = JSON.parse(readFileSync(join(HERE, 'corpus', file), 'utf8'))
  return { alg: 'RS256', privateJwk, publicJwk: { kty: 'RSA', n: privateJwk.n, e: privateJwk.e } }
}

function didKeyParty(slug, key) {
  const did = didKey(key.publicJwk)
  return { slug, ...key, did, kid: kidOf(did), document: didKeyDocument(did) }
}

function didJwkParty(slug, key) {
  const did = didJwk(key.publicJwk)
  return { slug, ...key, did, kid: kidOf(did), document: didJwkDocument(did, key.publicJwk) }
}

// did:web: the document the issuer publishes at https://<host>[/<path>]/did.json
function didWebParty(slug, key, did, fragment, methodType) {
  const kid = `${did}#${fragment}`
  const method = { id: kid, type: methodType, controller: did, publicKeyJwk: key.publicJwk }
  const contexts = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1']
  const document = {
    '@context': methodType === 'JsonWebKey2020' ? contexts : [contexts[0], 'https://w3id.org/security/jwk/v1'],
    id: did,
    verificationMethod: [method],
    assertionMethod: [kid],
    authentication: [kid],
  }
  return { slug, ...key, did, kid, document }
}

function didKeyDocument(did) {
  const kid = kidOf(did)
  const method = { id: kid, type: 'Multikey', controller: did, publicKeyMultibase: did.slice('did:key:'.length) }
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [method],
    authentication: [kid],
    assertionMethod: [kid],
    capabilityInvocation: [kid],
    capabilityDelegation: [kid],
  }
}

function didJwkDocument(did, publicJwk) {
  const kid = kidOf(did)
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/suites/jws-2020/v1'],
    id: did,
    verificationMethod: [{ id: kid, type: 'JsonWebKey2020', controller: did, publicKeyJwk: publicJwk }],
    authentication: [kid],
    assertionMethod: [kid],
    capabilityInvocation: [kid],
    capabilityDelegation: [kid],
  }
}

const ISSUERS = {
  academy: didKeyParty('academy-did-key-ed25519', ed25519('academy')),
  badges: didWebParty(
    'badges-did-web-p256',
    p256('badges platform'),
    'did:web:badges.example.com:issuers:7f3a',
    'key-1',
    'JsonWebKey2020',
  ),
  university: didWebParty(
    'university-did-web-rsa',
    rsa('inputs/university-rsa.private.jwk.json'),
    'did:web:university.example',
    'jwt-rs256',
    'JsonWebKey',
  ),
  college: didJwkParty('college-did-jwk-ed25519', ed25519('college')),
  institute: didJwkParty('institute-did-jwk-p256', p256('institute')),
  tutor: didKeyParty('tutor-did-key-p256', p256('tutor')),
}
const ATTACKER = didKeyParty('attacker-did-key-ed25519', ed25519('attacker'))
const LEARNER = didKey(ed25519('learner').publicJwk)

// --- credentials ----------------------------------------------------------------------------------

function achievement(name) {
  return {
    id: `https://badges.example.com/achievements/${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    type: ['Achievement'],
    achievementType: 'MicroCredential',
    name,
    description: `Awarded for completing ${name}, a 4 ECTS course with a proctored final assessment.`,
    criteria: { narrative: 'Passed the final assessment with at least 70 %.' },
  }
}

const profile = (party, name) => ({ id: party.did, type: ['Profile'], name })

// An OB 3.0 OpenBadgeCredential on VC Data Model 2.0 (OB 3.0 section 8.1, context 3.0.3)
function ob3Credential(party, { id, name = 'Data Analysis Foundations', subjectId = LEARNER, ...extra } = {}) {
  const subject = { type: ['AchievementSubject'], achievement: achievement(name) }
  const credentialSubject = subjectId ? { id: subjectId, ...subject } : subject
  return {
    '@context': [VC2, OB('3.0.3')],
    id: id ?? `urn:uuid:${uuidFor(`${party.slug} ${name}`)}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: profile(party, issuerName(party)),
    validFrom: ISSUED,
    name,
    credentialSubject,
    ...extra,
  }
}

// An OB 3.0.x OpenBadgeCredential on VC Data Model 1.1 (before OB 3.0 moved to VCDM 2.0)
function vc1Credential(party, version, { name = 'Project Management Essentials', ...extra } = {}) {
  return {
    '@context': [VC1, OB(version)],
    id: `urn:uuid:${uuidFor(`${party.slug} ${name} ${version}`)}`,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: profile(party, issuerName(party)),
    issuanceDate: ISSUED,
    name,
    credentialSubject: { id: LEARNER, type: ['AchievementSubject'], achievement: achievement(name) },
    ...extra,
  }
}

function issuerName(party) {
  return {
    academy: 'Open Skills Academy',
    badges: 'Example Badge Platform',
    university: 'Example University',
    college: 'Example College of Applied Sciences',
    institute: 'Example Institute of Technology',
    tutor: 'Example Tutoring Service',
    attacker: 'Not the Issuer',
  }[party.slug.split('-')[0]]
}

// A name-based UUID (version 8 layout) so ids are stable and distinct per case
function uuidFor(label) {
  const hex = createHash('sha256').update(label).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

// OB 3.0 section 8.2.4: the JWT claims that mirror the credential
function ob3Claims(credential) {
  const claims = {
    iss: credential.issuer.id,
    jti: credential.id,
    sub: credential.credentialSubject.id,
    nbf: seconds(credential.validFrom),
  }
  if (credential.validUntil) claims.exp = seconds(credential.validUntil)
  return claims
}

// --- signing --------------------------------------------------------------------------------------

const key = async (party, alg = party.alg) => importJWK(party.privateJwk, alg)

// jose's SignJWT, registered claims through its setters (what a jose-based OB 3.0 issuer writes)
async function joseJwt(party, header, payload, claims = {}) {
  const jwt = new SignJWT(payload).setProtectedHeader(header)
  if (claims.iss !== undefined) jwt.setIssuer(claims.iss)
  if (claims.jti !== undefined) jwt.setJti(claims.jti)
  if (claims.sub !== undefined) jwt.setSubject(claims.sub)
  if (claims.nbf !== undefined) jwt.setNotBefore(claims.nbf)
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp)
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat)
  return jwt.sign(await key(party, header.alg))
}

// jose's CompactSign over exact payload bytes (VC-JOSE-COSE, and JSON no JSON.stringify writes)
async function joseCompact(party, header, payloadText) {
  const bytes = new TextEncoder().encode(payloadText)
  return new CompactSign(bytes).setProtectedHeader(header).sign(await key(party, header.alg))
}

function didJwtSigner(party) {
  const d = base64url.decode(party.privateJwk.d)
  return party.alg === 'EdDSA' ? EdDSASigner(d) : ES256Signer(d)
}

const segment = (value) => base64url.encode(JSON.stringify(value))
const decode = (text) => JSON.parse(new TextDecoder().decode(base64url.decode(text)))

// --- the cases ------------------------------------------------------------------------------------

const cases = []
const didDocs = new Map() // file -> DID document

function didDocFile(party) {
  const file = `dids/${party.slug}.did.json`
  didDocs.set(file, party.document)
  return file
}

// Cases whose expected verdict czmc does not give yet: issue 10 (verification of the OB 3.0
// credentials in the wild) brings it. The test expects them to fail (xfail, strict) until the
// marker is removed here and the corpus regenerated.

// expect: true (valid), or [check, code prefix]: the one check that must fail
function add(name, { token, tool, form, issuer, alg, deterministic, expect, description, ...rest }) {
  const entry = {
    name,
    file: `cases/${name}.jwt`,
    description,
    tool,
    form,
    alg,
    issuer: issuer.did,
    did_documents: [didDocFile(issuer)],
    now: NOW,
    valid: expect === true,
    ...(expect === true ? {} : { check: expect[0], code: expect[1] }),
    deterministic: deterministic ?? alg !== 'ES256',
    ...rest,
  }
  cases.push({ entry, token })
}

// form id -> what it is (the manifest carries both)
const FORMS = {
  'ob3-jwt':
    'OB 3.0 JWT proof (OB 3.0 section 8.2): a VC 2.0 credential as the payload, iss/jti/sub/nbf claims, typ JWT',
  'vc-jose-cose': 'VC-JOSE-COSE vc+jwt (section 3.1): a VC 2.0 credential alone as the payload',
  'vc-jose-cose-no-typ': 'VC-JOSE-COSE without typ: a VC 2.0 credential as the payload, no JWT registered claims',
  'vc-jwt-1.1':
    'VC-JWT 1.1 (VCDM 1.1 section 6.3.1): the credential in the vc claim, VC v1 context + OB 3.0.x context + ' +
    'issuanceDate, iss/sub/jti/nbf claims standing for the members vc leaves out',
  'didkit-vc-jwt-1.1': 'didkit-style VC-JWT 1.1: the whole credential in vc, nbf a float NumericDate, no typ',
}
const FORM = {
  ob3: 'ob3-jwt',
  joseCose: 'vc-jose-cose',
  joseCoseNoTyp: 'vc-jose-cose-no-typ',
  vc1: 'vc-jwt-1.1',
  didkit: 'didkit-vc-jwt-1.1',
}

// OB 3.0 JWTs, signed by jose ---------------------------------------------------------------------

async function ob3(party, credential, { header, claims, payload } = {}) {
  const head = header ?? { alg: party.alg, kid: party.kid, typ: 'JWT' }
  return joseJwt(party, head, payload ?? credential, claims ?? ob3Claims(credential))
}

{
  const { academy, badges, university, college, institute } = ISSUERS
  const base = { tool: `${JOSE} SignJWT`, form: FORM.ob3 }

  add('ob3-did-key-ed25519', {
    ...base,
    token: await ob3(academy, ob3Credential(academy)),
    issuer: academy,
    alg: 'EdDSA',
    expect: true,
    description: 'OB 3.0 badge, did:key Ed25519 issuer, kid = the did:key verification method',
  })
  const platform = ob3Credential(badges, { name: 'Cloud Security Practitioner' })
  add('ob3-did-web-p256', {
    ...base,
    token: await ob3(badges, platform, { claims: { ...ob3Claims(platform), iat: ISSUED_S } }),
    issuer: badges,
    alg: 'ES256',
    expect: true,
    description:
      'OB 3.0 badge from a badge platform: did:web issuer (path-based DID) whose DID document lists a ' +
      'P-256 JsonWebKey2020 method; the JWT also carries iat',
  })
  add('ob3-did-web-rsa', {
    ...base,
    token: await ob3(university, ob3Credential(university, { name: 'Academic Writing in English' })),
    issuer: university,
    alg: 'RS256',
    expect: true,
    description: 'OB 3.0 badge signed RS256 (the algorithm 1EdTech certifies), did:web issuer with a JsonWebKey method',
  })
  const expiring = ob3Credential(college, { name: 'First Aid at Work', validUntil: '2028-06-27T12:00:00Z' })
  add('ob3-did-jwk-ed25519', {
    ...base,
    token: await ob3(college, expiring),
    issuer: college,
    alg: 'EdDSA',
    expect: true,
    description: 'OB 3.0 badge, did:jwk Ed25519 issuer (kid #0), with validUntil and exp',
  })
  add('ob3-did-jwk-p256', {
    ...base,
    token: await ob3(institute, ob3Credential(institute, { name: 'Embedded Systems Lab' })),
    issuer: institute,
    alg: 'ES256',
    expect: true,
    description: 'OB 3.0 badge, did:jwk P-256 issuer',
  })

  // OB 3.0 section 8.2.3: the header may carry the issuer's public key as jwk instead of a kid
  const embedded = (party) => ({ alg: party.alg, typ: 'JWT', jwk: party.publicJwk })
  add('ob3-header-jwk-did-key-issuer', {
    ...base,
    token: await ob3(academy, ob3Credential(academy, { name: 'Spreadsheet Modelling' }), { header: embedded(academy) }),
    issuer: academy,
    alg: 'EdDSA',
    expect: true,
    description: "header jwk (no kid) equal to the did:key issuer's own key: self-certifying, OB 3.0 section 8.2.3",
  })
  add('ob3-header-jwk-did-jwk-issuer', {
    ...base,
    token: await ob3(institute, ob3Credential(institute, { name: 'Network Basics' }), { header: embedded(institute) }),
    issuer: institute,
    alg: 'ES256',
    expect: true,
    description: "header jwk (no kid) equal to the did:jwk issuer's own key",
  })
  add('ob3-header-jwk-other-key', {
    ...base,
    token: await ob3(ATTACKER, ob3Credential(academy, { name: 'Spreadsheet Modelling' }), {
      header: embedded(ATTACKER),
    }),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['key', 'key.'],
    description: "header jwk of another key than the did:key issuer's, signed by that key: not the issuer's key",
  })

  // an extension context that no verifier bundles: supply it as a pinned document
  const extended = ob3Credential(academy, { name: 'Welding Inspection Basics' })
  extended['@context'] = [VC2, OB('3.0.3'), PROFILE_URL]
  extended.type = ['VerifiableCredential', 'OpenBadgeCredential', 'NationalMicroCredential']
  Object.assign(extended.credentialSubject.achievement, { ectsCredits: 4, eqfLevel: 5 })
  add('ob3-extension-context', {
    ...base,
    token: await ob3(academy, extended),
    issuer: academy,
    alg: 'EdDSA',
    expect: true,
    documents: [PROFILE_FILE],
    without_documents: { valid: false, check: 'jsonld', code: 'jsonld.' },
    description:
      'OB 3.0 badge using a national profile extension context (ectsCredits, eqfLevel, a type): valid ' +
      'when the context is supplied as a pinned document, invalid (jsonld) without it',
  })

  // 1EdTech's license extension context. Its License type cannot be used: the context scoped to
  // License redefines the protected term License (a JSON-LD error), so a license node without a
  // type is all that works, and legalCode (defined only in that scope) is then undefined.
  const licensed = (name, license) => {
    const credential = ob3Credential(university, { name })
    credential['@context'] = [VC2, OB('3.0.3'), LICENSE_URL]
    Object.assign(credential.credentialSubject.achievement, { type: ['Achievement', 'CCAchievement'], license })
    return credential
  }
  const ccBy = { id: 'http://creativecommons.org/licenses/by/4.0/', name: 'Creative Commons Attribution 4.0' }
  add('ob3-license-extension-context', {
    ...base,
    token: await ob3(university, licensed('Open Educational Resources Author', ccBy)),
    issuer: university,
    alg: 'RS256',
    expect: true,
    documents: [LICENSE_FILE],
    without_documents: { valid: false, check: 'jsonld', code: 'jsonld.' },
    description:
      "OB 3.0 badge using 1EdTech's Creative Commons license extension context (a CCAchievement with a " +
      'license): valid with the context pinned, invalid (jsonld) without it',
  })
  const withLegalCode = { ...ccBy, legalCode: 'http://creativecommons.org/licenses/by/4.0/legalcode' }
  add('ob3-license-extension-legalcode', {
    ...base,
    token: await ob3(university, licensed('Open Educational Resources Reviewer', withLegalCode)),
    issuer: university,
    alg: 'RS256',
    expect: ['jsonld', 'jsonld.'],
    documents: [LICENSE_FILE],
    without_documents: { valid: false, check: 'jsonld', code: 'jsonld.' },
    description:
      "the license as 1EdTech's extension README shows it, with legalCode: that term is defined only in the " +
      'context scoped to the License type, which never applies to an untyped license node, so it is ' +
      'undefined even with the context pinned',
  })

  // tampered and broken ones
  const good = ob3Credential(academy)
  const control = await ob3(academy, good)
  const [header, payload, signature] = control.split('.')
  const changed = { ...decode(payload) }
  changed.credentialSubject = structuredClone(changed.credentialSubject)
  changed.credentialSubject.achievement.name = 'Advanced Data Analysis'
  add('ob3-tampered-content', {
    ...base,
    tool: `${JOSE} SignJWT, then the payload edited`,
    token: `${header}.${segment(changed)}.${signature}`,
    issuer: academy,
    alg: 'EdDSA',
    expect: ['signature', 'signature.invalid'],
    description: "the achievement's name changed after signing, the original signature kept",
  })
  add('ob3-wrong-key', {
    ...base,
    token: await ob3(ATTACKER, good, { header: { alg: 'EdDSA', kid: academy.kid, typ: 'JWT' } }),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['signature', 'signature.invalid'],
    description: "signed by another Ed25519 key under the issuer's kid",
  })
  add('ob3-kid-of-other-did', {
    ...base,
    token: await ob3(ATTACKER, good, { header: { alg: 'EdDSA', kid: ATTACKER.kid, typ: 'JWT' } }),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['key_binding', 'key.not_issuer'],
    description: "signed by another did:key, named by its own kid, for a credential whose issuer is not that DID",
  })
  add('ob3-nbf-mismatch', {
    ...base,
    token: await ob3(academy, good, { claims: { ...ob3Claims(good), nbf: ISSUED_S - 86400 } }),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['claims', 'claims.'],
    description: 'nbf one day before validFrom (OB 3.0 section 8.2.6: nbf must represent validFrom)',
  })
  add('ob3-iss-mismatch', {
    ...base,
    token: await ob3(academy, good, { claims: { ...ob3Claims(good), iss: college.did } }),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['claims', 'claims.'],
    description: "iss names another DID than the credential's issuer.id (signed by the issuer)",
  })
  const expired = ob3Credential(academy, { name: 'Forklift Safety', validUntil: '2025-12-31T23:59:59Z' })
  add('ob3-expired', {
    ...base,
    token: await ob3(academy, expired),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['time', 'time.expired'],
    description: 'validUntil and exp 2025-12-31T23:59:59Z, before now',
  })
  add('ob3-iat-in-future', {
    ...base,
    token: await ob3(academy, good, { claims: { ...ob3Claims(good), iat: NOW_S + 86400 } }),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['time', 'time.'],
    description:
      'iat one day after now (beyond any leeway): a token cannot have been issued in the future; ' +
      'the time check is the one that must fail (not claims)',
  })
  const undefinedTerm = ob3Credential(academy, { name: 'Statistics Refresher' })
  undefinedTerm.credentialSubject.achievement.difficultyLevel = 'intermediate'
  add('ob3-undefined-term', {
    ...base,
    token: await ob3(academy, undefinedTerm),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['jsonld', 'jsonld.'],
    description: "achievement.difficultyLevel: a property no context defines (JSON-LD processing drops it)",
  })
  add('ob3-missing-kid', {
    ...base,
    token: await ob3(academy, good, { header: { alg: 'EdDSA', typ: 'JWT' } }),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['header', 'header.'],
    description: 'header with neither kid nor jwk: nothing names the key',
  })
  const unsecured = new UnsecuredJWT(good)
    .setIssuer(good.issuer.id)
    .setJti(good.id)
    .setSubject(good.credentialSubject.id)
    .setNotBefore(ISSUED_S)
    .encode()
  add('ob3-alg-none-unsecured', {
    ...base,
    tool: `${JOSE} UnsecuredJWT`,
    token: unsecured,
    issuer: academy,
    alg: 'none',
    expect: ['token', 'jws.'],
    description:
      'alg none with an empty signature (an unsecured JWT): czmc refuses it already as a token without a ' +
      'signature (check token), before looking at the algorithm',
  })
  const noneHeader = segment({ alg: 'none', kid: academy.kid, typ: 'JWT' })
  add('ob3-alg-none-signed', {
    ...base,
    tool: `${JOSE} SignJWT, then the header replaced`,
    token: `${noneHeader}.${payload}.${signature}`,
    issuer: academy,
    alg: 'none',
    expect: ['algorithm', 'alg.'],
    description: "the issuer's valid token with its header's alg changed to none, the signature kept",
  })
  const hmacSecret = new TextEncoder().encode(JSON.stringify(academy.publicJwk))
  add('ob3-hs256-public-key', {
    ...base,
    token: await hs256(good, academy, hmacSecret),
    issuer: academy,
    alg: 'HS256',
    expect: ['algorithm', 'alg.'],
    description: "HS256 keyed with the issuer's public JWK (key confusion)",
  })
}

async function hs256(credential, party, secret) {
  return new SignJWT(credential)
    .setProtectedHeader({ alg: 'HS256', kid: party.kid, typ: 'JWT' })
    .setIssuer(credential.issuer.id)
    .setJti(credential.id)
    .setSubject(credential.credentialSubject.id)
    .setNotBefore(seconds(credential.validFrom))
    .sign(secret)
}

// Bitstring Status List (W3C, 2025): lists as jose-based issuers publish them --------------------

// A BitstringStatusListCredential (section 2.2) with the given entries set, as an OB 3.0 JWT
async function statusList(party, url, setIndexes, header) {
  const bits = Buffer.alloc(131072 / 8) // the minimum size: 131,072 entries
  for (const index of setIndexes) bits[index >> 3] |= 0x80 >> (index & 7)
  const credential = {
    '@context': [VC2],
    id: url,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: party.did,
    validFrom: ISSUED,
    credentialSubject: {
      id: `${url}#list`,
      type: 'BitstringStatusList',
      statusPurpose: 'revocation',
      encodedList: `u${base64url.encode(gzipSync(bits, { level: 9 }))}`,
    },
  }
  const claims = { iss: party.did, jti: url, sub: `${url}#list`, nbf: ISSUED_S }
  return joseJwt(party, header, credential, claims)
}

const statusEntry = (url, index) => ({
  id: `${url}#${index}`,
  type: 'BitstringStatusListEntry',
  statusPurpose: 'revocation',
  statusListIndex: String(index),
  statusListCredential: url,
})

const statusLists = new Map() // file -> token

{
  const { academy } = ISSUERS
  const base = { tool: `${JOSE} SignJWT`, form: FORM.ob3 }
  const kidList = 'https://academy.example/status/1'
  const jwkList = 'https://academy.example/status/2'
  const missingList = 'https://academy.example/status/3'
  const kidHeader = { alg: 'EdDSA', kid: academy.kid, typ: 'JWT' }
  statusLists.set('status-lists/academy-1.jwt', await statusList(academy, kidList, [7, 4242], kidHeader))
  // OB 3.0 section 8.2.3 lets a JWT carry the key as jwk: some issuers sign their lists that way
  const jwkHeader = { alg: 'EdDSA', typ: 'JWT', jwk: academy.publicJwk }
  statusLists.set('status-lists/academy-2-header-jwk.jwt', await statusList(academy, jwkList, [7], jwkHeader))
  const withStatus = (name, url, index) =>
    ob3Credential(academy, { name, credentialStatus: statusEntry(url, index) })

  add('ob3-status-active', {
    ...base,
    token: await ob3(academy, withStatus('Machine Learning Basics', kidList, 5)),
    issuer: academy,
    alg: 'EdDSA',
    expect: true,
    status_lists: ['status-lists/academy-1.jwt'],
    description: "credentialStatus at index 5 of the issuer's Bitstring Status List (pinned; entry not set)",
  })
  add('ob3-status-revoked', {
    ...base,
    token: await ob3(academy, withStatus('Machine Learning Basics', kidList, 7)),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['status', 'status.revoked'],
    status_lists: ['status-lists/academy-1.jwt'],
    description: 'credentialStatus at index 7, which the pinned revocation list has set',
  })
  add('ob3-status-list-header-jwk', {
    ...base,
    token: await ob3(academy, withStatus('Deep Learning Basics', jwkList, 5)),
    issuer: academy,
    alg: 'EdDSA',
    expect: true,
    status_lists: ['status-lists/academy-2-header-jwk.jwt'],
    description:
      "the status list is signed with the did:key issuer's own key in the header (jwk, no kid), as OB 3.0 " +
      'section 8.2.3 allows: a verifier that accepts that for credentials must accept it for their lists',
  })
  add('ob3-status-list-header-jwk-revoked', {
    ...base,
    token: await ob3(academy, withStatus('Deep Learning Basics', jwkList, 7)),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['status', 'status.revoked'],
    status_lists: ['status-lists/academy-2-header-jwk.jwt'],
    description: 'index 7 of the header-jwk list, which is set: revoked',
  })
  add('ob3-status-list-unavailable', {
    ...base,
    token: await ob3(academy, withStatus('Deep Learning Basics', missingList, 5)),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['status', 'status.'],
    description: 'a credentialStatus whose list is neither pinned nor fetched (offline): the status is unknown',
  })
}

// VC-JOSE-COSE, signed by jose ----------------------------------------------------------------------

{
  const { academy, badges } = ISSUERS
  const noSubjectId = ob3Credential(academy, { name: 'Volunteer Coordinator', subjectId: null })
  add('vc-jose-cose-did-key-ed25519', {
    tool: `${JOSE} CompactSign`,
    form: FORM.joseCose,
    token: await joseCompact(
      academy,
      { alg: 'EdDSA', kid: academy.kid, typ: 'vc+jwt', cty: 'vc' },
      JSON.stringify(noSubjectId),
    ),
    issuer: academy,
    alg: 'EdDSA',
    expect: true,
    description: 'VC-JOSE-COSE 3.1: typ vc+jwt, cty vc, the credential alone as the payload (no subject id)',
  })
  const platform = ob3Credential(badges, { name: 'Kubernetes Operator' })
  add('vc-jose-cose-did-web-p256', {
    tool: `${JOSE} CompactSign`,
    form: FORM.joseCose,
    token: await joseCompact(badges, { alg: 'ES256', kid: badges.kid, typ: 'vc+jwt' }, JSON.stringify(platform)),
    issuer: badges,
    alg: 'ES256',
    expect: true,
    description: 'VC-JOSE-COSE from a did:web issuer (P-256), typ vc+jwt without cty',
  })
  add('vc-jose-cose-without-typ', {
    tool: `${JOSE} CompactSign`,
    form: FORM.joseCoseNoTyp,
    token: await joseCompact(academy, { alg: 'EdDSA', kid: academy.kid }, JSON.stringify(ob3Credential(academy))),
    issuer: academy,
    alg: 'EdDSA',
    expect: true,
    description:
      'no typ, no JWT registered claims, a VC 2.0 credential as the payload: must be read as VC-JOSE-COSE, ' +
      'not as an OB 3.0 JWT missing its claims',
  })
}

// VC-JWT 1.1 ----------------------------------------------------------------------------------------

// VCDM 1.1 section 6.3.1: the credential in vc; members the claims carry may be left out of it
function vc1Payload(credential, { keepIssuanceDate = true } = {}) {
  const vc = structuredClone(credential)
  delete vc.id
  delete vc.credentialSubject.id
  if (!keepIssuanceDate) delete vc.issuanceDate
  const claims = { iss: credential.issuer.id, sub: credential.credentialSubject.id, jti: credential.id }
  return { vc, ...claims, nbf: seconds(credential.issuanceDate) }
}

{
  const { academy, tutor, college, badges } = ISSUERS
  const base = { tool: `${JOSE} SignJWT`, form: FORM.vc1 }
  const header = (party) => ({ alg: party.alg, kid: party.kid, typ: 'JWT' })
  const sign = (party, payload) => joseJwt(party, header(party), payload)

  const ob302 = vc1Credential(academy, '3.0.2')
  add('vc1-ob302-jose', {
    ...base,
    token: await sign(academy, vc1Payload(ob302)),
    issuer: academy,
    alg: 'EdDSA',
    expect: true,
    description:
      'OB 3.0.2 on VCDM 1.1 as VC-JWT 1.1: vc with issuanceDate, no id and no credentialSubject.id ' +
      '(folded in from jti and sub)',
  })

  const ob300 = vc1Credential(badges, '3.0.0', { name: 'Research Data Management' })
  add('vc1-ob300-did-web-p256', {
    ...base,
    token: await sign(badges, vc1Payload(ob300)),
    issuer: badges,
    alg: 'ES256',
    expect: true,
    description: 'OB 3.0.0 (context.json) on VCDM 1.1 as VC-JWT 1.1 from a did:web issuer (P-256 JsonWebKey2020)',
  })

  // did-jwt-vc from a JWT payload, as Veramo-style issuers call it; it stamps iat (pinned) itself
  const ob301 = vc1Credential(tutor, '3.0.1', { name: 'Mathematics Tutoring Level 2' })
  const viaDidJwtVc = vc1Payload(ob301, { keepIssuanceDate: false })
  delete viaDidJwtVc.iss
  add('vc1-ob301-did-jwt-vc', {
    tool: `${DID_JWT_VC} createVerifiableCredentialJwt`,
    form: FORM.vc1,
    token: await createVerifiableCredentialJwt(
      viaDidJwtVc,
      { did: tutor.did, signer: didJwtSigner(tutor), alg: 'ES256' },
      { header: { kid: tutor.kid } },
    ),
    issuer: tutor,
    alg: 'ES256',
    deterministic: true, // did-jwt signs ES256 with RFC 6979 nonces
    expect: true,
    description:
      'OB 3.0.1 on VCDM 1.1 signed by did-jwt-vc (P-256 did:key): vc without issuanceDate, id or subject ' +
      'id, all from the nbf, jti and sub claims; iat present',
  })

  // didkit (spruceid ssi) writes the whole credential into vc, NumericDates as floats, no typ
  const didkit = vc1Credential(college, '3.0.1', { name: 'Laboratory Safety' })
  const didkitPayload = {
    iss: didkit.issuer.id,
    nbf: ISSUED_S,
    jti: didkit.id,
    sub: didkit.credentialSubject.id,
    vc: didkit,
  }
  const floatText = JSON.stringify(didkitPayload).replace(`"nbf":${ISSUED_S},`, `"nbf":${ISSUED_S}.0,`)
  add('vc1-didkit-float-nbf', {
    tool: `${JOSE} CompactSign (didkit's output shape)`,
    form: FORM.didkit,
    token: await joseCompact(college, { alg: 'EdDSA', kid: college.kid }, floatText),
    issuer: college,
    alg: 'EdDSA',
    expect: true,
    description:
      `didkit-style VC 1.1 JWT: "nbf":${ISSUED_S}.0 (a non-integer JSON number is a NumericDate, ` +
      'RFC 7519 section 2), no typ',
  })

  // tampered and broken VC 1.1 ones
  const token = await sign(academy, vc1Payload(ob302))
  const [h, p, s] = token.split('.')
  const edited = decode(p)
  edited.vc.credentialSubject.achievement.criteria.narrative = 'Attended the course.'
  add('vc1-tampered-content', {
    ...base,
    tool: `${JOSE} SignJWT, then the payload edited`,
    token: `${h}.${segment(edited)}.${s}`,
    issuer: academy,
    alg: 'EdDSA',
    expect: ['signature', 'signature.invalid'],
    description: "VC-JWT 1.1 whose achievement criteria changed after signing",
  })
  add('vc1-wrong-key', {
    ...base,
    token: await joseJwt(ATTACKER, header(academy), vc1Payload(ob302)),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['signature', 'signature.invalid'],
    description: "VC-JWT 1.1 signed by another key under the issuer's kid",
  })
  add('vc1-issuance-date-mismatch', {
    ...base,
    token: await sign(academy, { ...vc1Payload(ob302), nbf: ISSUED_S + 3600 }),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['claims', 'claims.'],
    description:
      'VC-JWT 1.1 whose nbf is an hour after the issuanceDate in vc (VCDM 1.1: nbf must represent issuanceDate)',
  })
  const awarded = vc1Credential(academy, '3.0.2', { name: 'Public Speaking', awardedDate: ISSUED })
  add('vc1-ob302-with-3.0.3-term', {
    ...base,
    token: await sign(academy, vc1Payload(awarded)),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['jsonld', 'jsonld.'],
    description: 'awardedDate under the OB 3.0.2 context, which does not define it (3.0.1 and 3.0.3 do)',
  })
  const inLanguage = vc1Credential(academy, '3.0.1', { name: 'Business Czech' })
  inLanguage.credentialSubject.achievement.inLanguage = 'cs'
  add('vc1-ob301-with-3.0.3-term', {
    ...base,
    token: await sign(academy, vc1Payload(inLanguage)),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['jsonld', 'jsonld.'],
    description: 'achievement.inLanguage (defined from OB 3.0.3 on) under the OB 3.0.1 context',
  })
  const unknown = vc1Credential(academy, '3.0.2', { name: 'Team Leadership' })
  unknown.credentialSubject.achievement.courseCode = 'TL-101'
  add('vc1-undefined-term', {
    ...base,
    token: await sign(academy, vc1Payload(unknown)),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['jsonld', 'jsonld.'],
    description: 'achievement.courseCode in a VC 1.1 credential: no context defines it (VC v1 has no @vocab)',
  })
  const lapsed = vc1Credential(academy, '3.0.2', { name: 'Food Hygiene', expirationDate: '2025-12-01T00:00:00Z' })
  add('vc1-expired', {
    ...base,
    token: await sign(academy, { ...vc1Payload(lapsed), exp: seconds('2025-12-01T00:00:00Z') }),
    issuer: academy,
    alg: 'EdDSA',
    expect: ['time', 'time.expired'],
    description: 'VC-JWT 1.1 with expirationDate and exp 2025-12-01, before now',
  })
}

// --- writing ----------------------------------------------------------------------------------------

function write(file, text) {
  const path = join(OUT, file)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
}
const pretty = (value) => `${JSON.stringify(value, null, 2)}\n`

for (const dir of ['cases', 'dids', 'contexts', 'public-keys', 'status-lists']) {
  rmSync(join(OUT, dir), { recursive: true, force: true })
}
for (const { entry, token } of cases) write(entry.file, `${token}\n`)
for (const [file, document] of didDocs) write(file, pretty(document))
for (const [file, list] of statusLists) write(file, `${list}\n`)
write(PROFILE_FILE, pretty(PROFILE_CONTEXT))
for (const party of [...Object.values(ISSUERS), ATTACKER]) {
  write(`public-keys/${party.slug}.jwk.json`, pretty({ ...party.publicJwk, alg: party.alg, kid: party.kid }))
}
write(
  'README.md',
  `# Interop corpus: Open Badges 3.0 JWTs made by independent tools

Generated by \`tests/interop/make-corpus.mjs\` (run \`node make-corpus.mjs\` in \`tests/interop\`
after \`npm ci\`); do not edit by hand. \`tests/test_interop_corpus.py\` checks every case and that
re-running the generator reproduces these files.

- \`manifest.json\`: one entry per case: \`file\`, \`tool\`, \`form\` (explained under \`forms\`),
  \`alg\`, \`issuer\`, \`did_documents\` to trust, \`documents\` (JSON-LD documents to pin, their URLs
  under the top-level \`documents\`), \`now\` (the moment to verify at), the verdict (\`valid\`, and
  for invalid cases the \`check\` that must fail and a prefix of its \`code\`; with \`documents\`, the
  verdict with them pinned, \`without_documents\` the one without), \`deterministic\`
  (false: the signature is randomised and changes on every run), and \`needs\` when czmc does
  not give that verdict yet.
- \`cases/\`: the tokens. \`status-lists/\`: signed Bitstring Status Lists a case pins
  (\`status_lists\`). \`dids/\`: the issuers' DID documents (did:web ones as published at
  \`/did.json\`; did:key and did:jwk ones as they resolve). \`contexts/\`: a made-up national
  profile context, served by no one. \`public-keys/\`: every signer's public JWK with its kid.
- \`inputs/\`: what the generator reads: a fixed RSA private key (Ed25519 and P-256 keys come
  from fixed seeds in the script; all are test keys, published on purpose: never trust them) and
  third-party JSON-LD documents, byte-exact, with their sources in \`inputs/SOURCES.md\`.

Verify a case with the CLI, e.g.:

    czmc verify cases/ob3-did-web-rsa.jwt --did-document dids/university-did-web-rsa.did.json --at ${NOW} --json
`,
)
write(
  'manifest.json',
  pretty({
    description:
      'Open Badges 3.0 JWT credentials made with independent tools, with the verdict each must get. ' +
      'Generated by tests/interop/make-corpus.mjs; verified by tests/test_interop_corpus.py.',
    generator: 'tests/interop/make-corpus.mjs',
    now: NOW,
    learner: LEARNER,
    forms: FORMS,
    documents: { [PROFILE_FILE]: PROFILE_URL, [LICENSE_FILE]: LICENSE_URL },
    cases: cases.map(({ entry }) => entry),
  }),
)
process.stdout.write(`${cases.length} cases written to ${OUT}\n`)
