// Package config loads yafdp's settings once, from the global flags, YAFDP_*
// environment variables, the config file and built-in defaults, in that order
// of precedence, and hands commands a typed Config. It is the only package
// that talks to viper; nothing else calls viper.Get.
//
// The config file is YAML:
//
//	region: eu-west-1          # defaults for every environment
//	profile: yafdp
//	output: table
//	no_color: false
//	default_env: prod
//	environments:
//	  prod:
//	    region: eu-west-1
//	    profile: yafdp-prod
//	    queue: https://sqs.eu-west-1.amazonaws.com/123456789012/orders
//	    dlq: https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq
//	    state_machine: arn:aws:states:eu-west-1:123456789012:stateMachine:order-saga
//	  local:
//	    endpoint_url: http://127.0.0.1:4566
//
// The selected environment's values take precedence over the top-level ones;
// both count as "file" values, below flags and environment variables.
//
// It never imports the command line: the commands pass the global flags
// the user set, by setting key, with their names (Options.FlagName).
package config
