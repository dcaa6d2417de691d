package config

// template is what `yafdp config init` writes: every key, commented, with
// three named environments to fill in.
const template = `# yafdp configuration. Settings here are below flags (--region) and
# environment variables (YAFDP_REGION) in precedence; an environment's values
# are above the top-level ones. Unknown keys are an error.
# Check what is in effect, and where it comes from: yafdp config show

# Defaults for every environment.
# region: eu-west-1
# profile: default
output: table          # table, json or jsonl
no_color: false
# timeout: 30s        # give up on an AWS call after this long (default 30s, 60s for SendMessageBatch)

# The environment used when --env (or YAFDP_ENV) is not given.
default_env: local

environments:
  # The pipeline on this machine: yafdp local up (port 4566).
  local:
    endpoint_url: http://127.0.0.1:4566
    region: us-east-1
    queue: orders
    dlq: orders-dlq
    state_machine: yafdp-order-saga

  # Fill in your accounts. Queues may be URLs or names, state machines ARNs
  # or names.
  staging:
    region: eu-west-1
    profile: yafdp-staging
    queue: orders
    dlq: orders-dlq
    state_machine: yafdp-order-saga
    # For yafdp load: the API Gateway stage's orders resource (--via api)
    # and the new-order function's log group (StartExecution throttles).
    # api_url: https://abc123.execute-api.eu-west-1.amazonaws.com/staging/orders
    # lambda_log_group: /aws/lambda/new-order

  prod:
    region: eu-west-1
    profile: yafdp-prod
    queue: orders
    dlq: orders-dlq
    state_machine: yafdp-order-saga
`
