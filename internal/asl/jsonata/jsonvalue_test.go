package jsonata

// decodeOrdered decodes JSON into evaluator values, keeping object key
// order (as JSON.parse does) and numbers as float64.
func decodeOrdered(data []byte) (any, error) { return parseJSONOrdered(string(data)) }
