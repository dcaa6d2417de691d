// Package awsfault injects failures into AWS calls at the HTTP layer: an
// http.RoundTripper for an SDK client's HTTP client that fails a share of
// whole calls (before or after the server applied them) and a share of the
// entries of batch calls (answered as failed inside a 200 response, and not
// applied). Tests use it to prove that nothing is lost when AWS misbehaves
// the way it is documented to.
package awsfault
