// Package awsshapes is yafdp's table of AWS API shapes: for each operation
// of the services Step Functions workflows call most, the shape of its
// input and of its output, with nested members, their types and which are
// required. Mock-config generation builds example results from it, and
// TestState's STRICT mock validation checks mocked results against it.
//
// The table (shapes.txt, embedded) is generated from the published Smithy
// models of github.com/aws/api-models-aws by internal/tools/genshapes; its
// header names the commit. Never edit it by hand: regenerate it.
//
// Services are named as a Task's Resource names them: by the aws-sdk name
// (arn:aws:states:::aws-sdk:secretsmanager:getSecretValue) or by the
// optimized integration's name (arn:aws:states:::events:putEvents, states
// for Step Functions, elasticmapreduce for EMR, bedrock for Bedrock
// Runtime's InvokeModel). Actions match operations without regard to case
// (sendMessage is SendMessage). Member names are given as Step Functions
// writes them in results and parameters, in PascalCase (executionArn in
// the model is ExecutionArn), with the model's own spelling beside.
//
// # File format
//
// Lines starting with # are comments. A section starts with
//
//	service DIR VERSION sdk=NAME [optimized=NAME]
//
// (DIR is the model's folder in api-models-aws), followed by its
// operations and the shapes they reach:
//
//	op SendMessage SendMessageRequest SendMessageResult   (- for no input or output)
//	structure NAME MEMBER[!]:TYPE ...                     (! marks a required member)
//	union NAME MEMBER:TYPE ...
//	list NAME TYPE
//	map NAME KEYTYPE VALUETYPE
//	enum NAME VALUE ...                                   (a value with a space or quote is a Go string)
//
// A member's TYPE may end in bounds, "[MIN,MAX]" with either left empty:
// the length of a string or blob, the range of a number
// (MemorySize:integer[128,10240]).
//
// A TYPE is a primitive (string, integer, long, float, double, boolean,
// timestamp, blob, document) or the name of a shape of the same section.
// Smithy's byte, short and intEnum are integers, bigInteger long and
// bigDecimal double; Smithy 1.0 string enums are enums.
//
// The package never imports the command line or the engine.
package awsshapes
