package main

// service is one AWS service in the table.
type service struct {
	// dir is the service's folder in api-models-aws.
	dir string
	// optimized is the service's name in Step Functions' optimized
	// integrations (arn:aws:states:::NAME:action), when it has one and it
	// differs from nothing: "events" for EventBridge, "states" for Step
	// Functions, "elasticmapreduce" for EMR, "bedrock" for Bedrock's
	// InvokeModel. The aws-sdk name (arn:aws:states:::aws-sdk:NAME:action)
	// is derived from the model's sdkId (see sdkName).
	optimized string
	// ops limits the table to these operations (model names); empty means
	// every operation of the service.
	ops []string
	// optional services may be missing from a snapshot: the snapshot tool
	// leaves out files of 4 MiB and more. The table's header then says so.
	optional bool
	// why says why the service is in the table.
	why string
}

// services are the services Step Functions workflows call most: every
// optimized integration that calls an AWS API, and the aws-sdk services
// seen most in public state machine definitions. Keeping to them keeps
// the embedded table near 1 MB; a service is added here and the table
// regenerated when a team's definitions call it.
var services = []service{
	{dir: "lambda", optimized: "lambda", why: "lambda:invoke and Lambda function ARNs, the most used Task of all"},
	{dir: "sqs", optimized: "sqs", why: "sqs:sendMessage(.waitForTaskToken)"},
	{dir: "sns", optimized: "sns", why: "sns:publish(.waitForTaskToken)"},
	{dir: "dynamodb", optimized: "dynamodb", why: "dynamodb:getItem/putItem/updateItem/deleteItem, and aws-sdk:dynamodb:query and friends"},
	{dir: "eventbridge", optimized: "events", why: "events:putEvents"},
	{dir: "sfn", optimized: "states", why: "states:startExecution(.sync, .sync:2), aws-sdk:sfn callbacks"},
	{dir: "ecs", optimized: "ecs", why: "ecs:runTask(.sync, .waitForTaskToken)"},
	{dir: "batch", optimized: "batch", why: "batch:submitJob(.sync)"},
	{dir: "glue", optimized: "glue", why: "glue:startJobRun(.sync)"},
	{dir: "athena", optimized: "athena", why: "athena:startQueryExecution(.sync), getQueryResults"},
	{dir: "sagemaker", optimized: "sagemaker", why: "sagemaker:createTrainingJob(.sync) and the other jobs Step Functions runs"},
	{dir: "codebuild", optimized: "codebuild", why: "codebuild:startBuild(.sync)"},
	{dir: "emr", optimized: "elasticmapreduce", why: "elasticmapreduce:createCluster(.sync), addStep(.sync)"},
	{dir: "bedrock-runtime", optimized: "bedrock", why: "bedrock:invokeModel"},
	{dir: "api-gateway", why: "aws-sdk:apigateway (the optimized apigateway:invoke calls your API, not this one)"},
	{dir: "s3", why: "aws-sdk:s3, the most used aws-sdk service (getObject, putObject, listObjectsV2, copyObject)"},
	{dir: "secrets-manager", why: "aws-sdk:secretsmanager:getSecretValue"},
	{dir: "ssm", why: "aws-sdk:ssm:getParameter, sendCommand"},
	{dir: "kms", why: "aws-sdk:kms:encrypt/decrypt"},
	{dir: "sts", why: "aws-sdk:sts:assumeRole, getCallerIdentity"},
	{dir: "ses", why: "aws-sdk:ses:sendEmail"},
	{dir: "sesv2", why: "aws-sdk:sesv2:sendEmail"},
	{dir: "kinesis", why: "aws-sdk:kinesis:putRecord(s)"},
	{dir: "firehose", why: "aws-sdk:firehose:putRecord(Batch)"},
	{dir: "cloudwatch", why: "aws-sdk:cloudwatch:putMetricData"},
	{dir: "cloudwatch-logs", why: "aws-sdk:cloudwatchlogs (log queries and puts)"},
	{dir: "ec2", why: "aws-sdk:ec2, only the instance and snapshot operations public definitions call", ops: ec2Ops, optional: true},
}

// ec2Ops are the EC2 operations public state machine definitions call;
// the whole EC2 model is larger than the rest of the table together.
var ec2Ops = []string{
	"DescribeInstances", "DescribeInstanceStatus", "RunInstances", "StartInstances", "StopInstances",
	"TerminateInstances", "RebootInstances", "CreateTags", "DeleteTags", "CreateSnapshot", "DeleteSnapshot",
	"DescribeSnapshots", "CreateImage", "DescribeImages", "DeregisterImage", "DescribeVolumes",
	"ModifyInstanceAttribute", "DescribeSecurityGroups", "AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress",
}
