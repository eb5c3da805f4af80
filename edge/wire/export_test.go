package wire

// For the external tests (package wire_test), which check payloads with
// wiretest: it imports wire, so they cannot live in package wire.
var (
	Samples  = samples
	Mutate   = mutate
	DecodeAs = decodeAs
)

const TestEpoch = testEpoch
