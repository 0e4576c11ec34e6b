// The Digital Bazaar Data Integrity stack (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022,
// ecdsa-rdfc-2019, ed25519-signature-2020) for tests/test_interop_dataintegrity.py.
//
// Each case on stdin is {op, ...}; one result per case on stdout (see lib.mjs):
// - op "sign": sign `credential` with the key derived from `seed` (hex) as `verificationMethod`
//   (suite "eddsa-rdfc-2022", "ecdsa-rdfc-2019" or "Ed25519Signature2020"), at `created`, for
//   `purpose` ("assertionMethod", or "authentication" with `challenge`); returns {signed}.
// - op "publicKey": the publicKeyMultibase of the key derived from `seed` for `suite`.
// - op "verify": verify the credential in the file `credentialFile` with @digitalbazaar/vc's
//   verifyCredential (suites: all three) at `now`; returns {verified, errors}.
// - op "present": put the credential in `credentialFile` into a presentation signed by the holder
//   (`seed`, `suite`, `verificationMethod`, `challenge`) and verify it; returns {verified, errors}.
// Every case names `contexts` ({url: file}) and `didDocumentFiles` ([file]): the document loader
// serves exactly these (contexts, DID documents and their verification methods); no network.
//
// By hand: `node di-stack.mjs verify CREDENTIAL.json CONTEXTS.json [DID.json ...]` prints the
// stack's verdict on one file as JSON (CONTEXTS.json: {url: file}).
import { readFileSync } from 'node:fs'
import * as vc from '@digitalbazaar/vc'
import { DataIntegrityProof } from '@digitalbazaar/data-integrity'
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite'
import { cryptosuite as ecdsaRdfc2019 } from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite'
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey'
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey'
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020'
import { Ed25519VerificationKey2020 } from '@digitalbazaar/ed25519-verification-key-2020'
import jsigs from 'jsonld-signatures'
import { runCases } from './lib.mjs'

const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1'
const ED25519_2020_CONTEXT = 'https://w3id.org/security/suites/ed25519-2020/v1'

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

// A loader that knows the given contexts and DID documents and nothing else.
function makeLoader(contexts, didDocumentFiles) {
  const documents = new Map()
  for (const [url, file] of Object.entries(contexts)) documents.set(url, readJson(file))
  for (const file of didDocumentFiles) {
    const didDocument = readJson(file)
    documents.set(didDocument.id, didDocument)
    for (const method of didDocument.verificationMethod ?? []) {
      const id = method.id.startsWith('#') ? didDocument.id + method.id : method.id
      const context = method.type === 'Ed25519VerificationKey2020' ? ED25519_2020_CONTEXT : MULTIKEY_CONTEXT
      documents.set(id, { '@context': context, ...method, id })
    }
  }
  return async (url) => {
    const document = documents.get(url)
    if (document === undefined) throw new Error(`document loader: ${url} is not available (offline)`)
    return { contextUrl: null, documentUrl: url, document: structuredClone(document) }
  }
}

function seedBytes(hex) {
  return Uint8Array.from(Buffer.from(hex, 'hex'))
}

async function keyPair({ suite, seed, secretKeyMultibase, publicKeyMultibase, verificationMethod }) {
  const controller = verificationMethod.split('#')[0]
  if (suite === 'eddsa-rdfc-2022') {
    return Ed25519Multikey.generate({ seed: seedBytes(seed), id: verificationMethod, controller })
  }
  if (suite === 'Ed25519Signature2020') {
    return Ed25519VerificationKey2020.generate({ seed: seedBytes(seed), id: verificationMethod, controller })
  }
  if (suite === 'ecdsa-rdfc-2019') {
    return EcdsaMultikey.from({
      '@context': MULTIKEY_CONTEXT,
      type: 'Multikey',
      id: verificationMethod,
      controller,
      publicKeyMultibase,
      secretKeyMultibase,
    })
  }
  throw new Error(`unknown suite ${suite}`)
}

function signingSuite(suite, key, date) {
  if (suite === 'Ed25519Signature2020') return new Ed25519Signature2020({ key, date })
  const cryptosuite = suite === 'ecdsa-rdfc-2019' ? ecdsaRdfc2019 : eddsaRdfc2022
  return new DataIntegrityProof({ signer: key.signer(), date, cryptosuite })
}

function verifyingSuites() {
  return [
    new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
    new DataIntegrityProof({ cryptosuite: ecdsaRdfc2019 }),
    new Ed25519Signature2020(),
  ]
}

function errorsOf(result) {
  const messages = []
  const collect = (error) => {
    if (!error) return
    if (Array.isArray(error)) return error.forEach(collect)
    messages.push(`${error.name ?? 'Error'}: ${error.message}`)
    if (error.errors) collect(error.errors)
  }
  collect(result.error)
  for (const proof of result.results ?? []) collect(proof.error)
  return [...new Set(messages)]
}

async function handle(item) {
  const documentLoader = makeLoader(item.contexts ?? {}, item.didDocumentFiles ?? [])
  if (item.op === 'publicKey') {
    const key = await keyPair(item)
    const exported = await key.export({ publicKey: true, includeContext: true })
    return { publicKeyMultibase: exported.publicKeyMultibase }
  }
  if (item.op === 'sign') {
    const key = await keyPair(item)
    const suite = signingSuite(item.suite, key, new Date(item.created))
    if (item.purpose === 'authentication') {
      const purpose = new jsigs.purposes.AuthenticationProofPurpose({ challenge: item.challenge })
      const signed = await jsigs.sign(structuredClone(item.credential), { suite, purpose, documentLoader })
      return { signed }
    }
    const signed = await vc.issue({ credential: structuredClone(item.credential), suite, documentLoader })
    return { signed }
  }
  if (item.op === 'verify') {
    const credential = readJson(item.credentialFile)
    const result = await vc.verifyCredential({
      credential,
      suite: verifyingSuites(),
      documentLoader,
      now: item.now ? new Date(item.now) : undefined,
    })
    return { verified: result.verified === true, errors: errorsOf(result) }
  }
  if (item.op === 'present') {
    // A wallet's use of a credential: put it in a presentation, sign that as the holder (key from
    // `seed`, method `verificationMethod`, `challenge`), and verify the presentation with the
    // credential inside it.
    const key = await keyPair(item)
    const suite = signingSuite(item.suite, key, new Date(item.created))
    const presentation = vc.createPresentation({
      verifiableCredential: [readJson(item.credentialFile)],
      holder: item.verificationMethod.split('#')[0],
    })
    const signed = await vc.signPresentation({ presentation, suite, challenge: item.challenge, documentLoader })
    const result = await vc.verify({
      presentation: signed,
      challenge: item.challenge,
      suite: verifyingSuites(),
      documentLoader,
      now: item.now ? new Date(item.now) : undefined,
    })
    return { verified: result.verified === true, errors: errorsOf(result), presentation: signed }
  }
  throw new Error(`unknown op ${item.op}`)
}

if (process.argv[2] === 'verify') {
  const [credentialFile, contextsFile, ...didDocumentFiles] = process.argv.slice(3)
  const contexts = readJson(contextsFile)
  const result = await handle({ op: 'verify', credentialFile, contexts, didDocumentFiles })
  process.stdout.write(JSON.stringify(result, null, 2) + '\n')
  process.exitCode = result.verified ? 0 : 1
} else {
  await runCases(handle)
}
