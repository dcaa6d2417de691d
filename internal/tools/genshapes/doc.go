// Command genshapes writes internal/awsshapes/shapes.txt, the table of AWS
// API shapes that yafdp embeds: for each operation of the services that
// Step Functions workflows call most, its input and output shapes with
// their members, types and required flags. It reads the published Smithy
// JSON models of github.com/aws/api-models-aws from a git snapshot of that
// repository (a bare git directory is enough) and never from the network:
//
//	go run ./internal/tools/genshapes -models /work/.mirror/aws+api-models-aws/repo
//
// The services and why each is in the table are listed in services.go.
// The output names the repository and commit it was generated from; the
// models themselves are never copied into this repository. The file
// format is described in internal/awsshapes/doc.go.
package main
