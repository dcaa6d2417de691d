package sim

import "time"

// Prices are the us-east-1 list prices the cost model uses (PRODUCT.md).
type Prices struct {
	StandardPerTransition  float64 // $0.025 per 1,000 state transitions
	ExpressPerRequest      float64 // $1.00 per million
	ExpressPerGBSecond     float64 // $0.00001667
	SQSPerRequest          float64 // $0.40 per million (each 64 KiB counts as one)
	LambdaPerRequest       float64 // $0.20 per million
	LambdaPerGBSecond      float64 // $0.0000166667 (x86)
	APIGatewayRESTPerCall  float64 // $3.50 per million
	APIGatewayHTTPPerCall  float64 // $1.00 per million
	ExpressBillingQuantum  time.Duration
	TaskFunctionMemoryMB   int // memory of the saga's task functions
	SQSRequestChunkBytes   int
	SecondsPerBillingMonth float64
}

// USEast1 are the prices PRODUCT.md gives.
var USEast1 = Prices{
	StandardPerTransition:  0.025 / 1000,
	ExpressPerRequest:      1.00 / 1e6,
	ExpressPerGBSecond:     0.00001667,
	SQSPerRequest:          0.40 / 1e6,
	LambdaPerRequest:       0.20 / 1e6,
	LambdaPerGBSecond:      0.0000166667,
	APIGatewayRESTPerCall:  3.50 / 1e6,
	APIGatewayHTTPPerCall:  1.00 / 1e6,
	ExpressBillingQuantum:  100 * time.Millisecond,
	TaskFunctionMemoryMB:   128,
	SQSRequestChunkBytes:   64 * 1024,
	SecondsPerBillingMonth: 30 * 24 * 3600,
}

// Usage is what a run consumed, counted by the model.
type Usage struct {
	APIRequests        int64 // accepted by API Gateway (throttled calls are not billed)
	SQSRequests        int64 // SendMessage, ReceiveMessage (empty ones too), DeleteMessageBatch, ...
	LambdaInvocations  int64 // new-order function batches
	LambdaGBSeconds    float64
	Executions         int64 // saga executions started
	StateTransitions   int64 // states entered plus retries
	ExpressGBSeconds   float64
	TaskInvocations    int64 // Lambda calls made by the saga's Task states
	TaskGBSeconds      float64
	CompletedOrders    int64 // orders whose saga ended, for per-order figures
	OfferedRatePerSec  float64
	ExpressMemoryMB    int
	APIGatewayKind     string
	ExpressDurationSum time.Duration // billed (rounded up) execution time
}

// Cost is the bill of one run, and what it means per million orders and
// per month at the offered rate, for Standard and Express workflows.
type Cost struct {
	APIGateway      float64 `json:"apiGateway"`
	SQS             float64 `json:"sqs"`
	Lambda          float64 `json:"lambda"`
	TaskFunctions   float64 `json:"taskFunctions"`
	StepFunctions   Split   `json:"stepFunctions"`
	Total           Split   `json:"total"`
	PerMillion      Split   `json:"perMillionOrders"`
	PerMonth        Split   `json:"perMonthAtOfferedRate"`
	OrdersPerMonth  float64 `json:"ordersPerMonth"`
	OrdersInTheBill int64   `json:"ordersInTheBill"`
}

// Split is one figure for Standard and for Express workflows.
type Split struct {
	Standard float64 `json:"standard"`
	Express  float64 `json:"express"`
}

// Bill prices a run's usage.
func (p Prices) Bill(u Usage) Cost {
	var c Cost
	perCall := p.APIGatewayRESTPerCall
	if u.APIGatewayKind == "http" {
		perCall = p.APIGatewayHTTPPerCall
	}
	c.APIGateway = float64(u.APIRequests) * perCall
	c.SQS = float64(u.SQSRequests) * p.SQSPerRequest
	c.Lambda = float64(u.LambdaInvocations)*p.LambdaPerRequest + u.LambdaGBSeconds*p.LambdaPerGBSecond
	c.TaskFunctions = float64(u.TaskInvocations)*p.LambdaPerRequest + u.TaskGBSeconds*p.LambdaPerGBSecond
	c.StepFunctions.Standard = float64(u.StateTransitions) * p.StandardPerTransition
	c.StepFunctions.Express = float64(u.Executions)*p.ExpressPerRequest + u.ExpressGBSeconds*p.ExpressPerGBSecond
	common := c.APIGateway + c.SQS + c.Lambda + c.TaskFunctions
	c.Total = Split{Standard: common + c.StepFunctions.Standard, Express: common + c.StepFunctions.Express}
	c.OrdersInTheBill = u.CompletedOrders
	if u.CompletedOrders > 0 {
		scale := 1e6 / float64(u.CompletedOrders)
		c.PerMillion = Split{Standard: c.Total.Standard * scale, Express: c.Total.Express * scale}
		c.OrdersPerMonth = u.OfferedRatePerSec * p.SecondsPerBillingMonth
		c.PerMonth = Split{
			Standard: c.PerMillion.Standard * c.OrdersPerMonth / 1e6,
			Express:  c.PerMillion.Express * c.OrdersPerMonth / 1e6,
		}
	}
	return c
}

// expressBilled rounds an execution's duration up to the billing quantum.
func (p Prices) expressBilled(d time.Duration) time.Duration {
	q := p.ExpressBillingQuantum
	if q <= 0 {
		return d
	}
	if d <= 0 {
		return q
	}
	return (d + q - 1) / q * q
}

// gbSeconds is memory × time in GB-seconds.
func gbSeconds(memoryMB int, d time.Duration) float64 {
	return float64(memoryMB) / 1024 * d.Seconds()
}
