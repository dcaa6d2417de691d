package saga

import _ "embed"

// Definition is the order saga as an Amazon States Language document. The
// same bytes are deployed to AWS Step Functions and executed locally.
//
//go:embed saga.asl.json
var Definition []byte

// DefinitionJSONata is the same saga written in JSONata with workflow
// variables: the same steps, retries, compensations and outcomes, for teams
// whose own state machines use the newer query language.
//
//go:embed saga.jsonata.asl.json
var DefinitionJSONata []byte

// StateMachineName is the name the saga is deployed under.
const StateMachineName = "yafdp-order-saga"

// LambdaInvoke is the Resource of every Task in the saga: the optimised
// Lambda integration, whose output wraps the function's result in Payload.
const LambdaInvoke = "arn:aws:states:::lambda:invoke"

// The Lambda functions the saga calls, one per step and compensation.
const (
	FnPaymentCharge    = "yafdp-payment-charge"
	FnPaymentRefund    = "yafdp-payment-refund"
	FnRestaurantPlace  = "yafdp-restaurant-place"
	FnRestaurantCancel = "yafdp-restaurant-cancel"
	FnDeliverySchedule = "yafdp-delivery-schedule"
	FnDeliveryCancel   = "yafdp-delivery-cancel"
	FnNotifySend       = "yafdp-notify-send"
	FnOrdersConfirm    = "yafdp-orders-confirm"
	FnOrdersCancel     = "yafdp-orders-cancel"
)

// ErrCompensationFailed is the error of an execution that failed and could
// not undo every step: the order needs manual repair, and the cause names the
// compensations to do by hand.
const ErrCompensationFailed = "Saga.CompensationFailed"

// The compensations, by the key the saga records a failed one under in
// $.compensationErrors (and so names it in the Saga.CompensationFailed cause).
const (
	CompCancelDelivery        = "cancelDelivery"
	CompCancelRestaurantOrder = "cancelRestaurantOrder"
	CompRefundPayment         = "refundPayment"
	CompMarkCancelled         = "markCancelled"
	CompNotifyCancelled       = "notifyCancelled"
)

// Compensations lists the compensations in the order the saga runs them.
func Compensations() []string {
	return []string{CompCancelDelivery, CompCancelRestaurantOrder, CompRefundPayment, CompMarkCancelled, CompNotifyCancelled}
}
