// Package filter is the language of dlq redrive's filter: which messages
// of a dead-letter queue to move.
//
// A Filter is a compiled expression over a message: its body (as text, or
// as JSON with paths), its message attributes and its system attributes.
// The language is small on purpose:
//
//	body.currency == "EUR" && body.totalCents >= 5000
//	attr.schemaVersion != "1" || !attr.traceId
//	body.items[0].sku startsWith "PIZ-" && sys.ApproximateReceiveCount > 3
//	body contains "rst_0042" || id == "5fea7756-0ea4-451a-a703-a558b933e274"
//	body.customerId matches "^cus_0+"
//
// Operands are paths (body, body.FIELD, body["odd-key"], body.items[2],
// attr.NAME, sys.NAME, id) and literals ("text" or 'text', numbers, true,
// false, null). Operators: == != < <= > >= contains startsWith endsWith
// matches (an RE2 regular expression), combined with &&, || and !, grouped
// with parentheses. A path alone is true when it exists and is not false,
// null, "" or 0. A comparison with a missing value is false (!= is true).
// Number attributes compare as numbers; Binary attributes as their base64
// text.
//
// It owns the language, not the messages: dlq.Message.Matches applies a
// Filter to a message read from SQS.
package filter
