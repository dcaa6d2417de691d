// Package apisubmit POSTs orders to the API Gateway endpoint in front of
// the orders queue, one request per order, retrying 429 and 5xx answers
// (and network errors) with back-off and honouring Retry-After. The orders
// are a submit.Plan, checked before anything is sent.
//
// It never imports the command line; the commands turn flags into its
// options and render its results.
package apisubmit
