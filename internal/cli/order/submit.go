package order

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/apisubmit"
	"github.com/yafdp/yafdp/internal/awsops/submit"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/order"
	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/ui"
)

// SubmitOptions are the inputs of `yafdp order submit`.
type SubmitOptions struct {
	cmdutil.Deps
	// HTTPClient carries --via api requests (nil: a default client).
	HTTPClient *http.Client
	Now        func() time.Time
	// TraceID makes trace ids; tests fix it.
	TraceID func() string

	Queue       string
	File        string
	Generate    int
	Seed        uint64
	Start       string
	DryRun      bool
	Concurrency int
	Rate        rate.Rate
	Attempts    int
	Via         string
	APIURL      string
	APIKey      string

	// One order from flags.
	OrderID      string
	CustomerID   string
	RestaurantID string
	Items        []string
	Currency     string
	Line1        string
	City         string
	PostalCode   string
	Country      string
	PlacedAt     string

	orders []order.Order
	queue  awsops.QueueRef
	plan   *submit.Plan
}

var submitLong = cmdutil.Heredoc(`
			Put orders on the orders queue, or POST them to the API Gateway endpoint.

			Orders come from --file (NDJSON, one order a line, or a JSON array; - reads
			standard input), from --generate N realistic orders (--seed makes them
			reproducible), or from the flags of one order (--order-id, --customer-id,
			--restaurant-id, --item, --currency, --line1, --city, --postal-code,
			--country). Every order is validated before the first one is sent: its
			fields, quantities, total, currency and size (at most 256 KiB less 4 KiB of
			room for the saga). One invalid order stops the run with its line and field,
			and nothing is sent. --dry-run validates and shows the batches that would
			be sent, without calling AWS.

			On the queue (--via sqs, the default) orders go in SendMessageBatch calls
			of up to ten messages and 1 MiB, --concurrency at a time, paced by --rate.
			An entry that fails inside a successful answer is sent again; an order
			counts as sent only with the MessageId SQS gave it. On a FIFO queue the
			MessageGroupId is the customerId and the MessageDeduplicationId the orderId.
			Every message carries the attributes schemaVersion and traceId. With
			--via api each order is POSTed to --api-url, and 429 and 5xx answers are
			retried with back-off.

			The table lists each order with its MessageId; the count of sent and failed
			orders goes to standard error. Exit codes: 0 every order sent, 1 some
			orders failed or got no answer (listed with why), 2 bad flags or an invalid
			order (nothing sent), 130 interrupted: calls in flight get three seconds to
			finish, orders still in flight then are listed as unknown (SQS may hold
			them), the rest as not sent.

			Every AWS call gives up after --timeout (30s, 60s for SendMessageBatch); a
			call that got no answer stops the run, and its orders are listed as unknown.
		`)

var submitExample = cmdutil.Examples(`
			# Orders from a file, to the queue of the selected environment
			$ yafdp --env staging order submit --file orders.ndjson

			# A thousand generated orders, 100 a second, to a queue by name
			$ yafdp order submit --generate 1000 --seed 7 --rate 100/s --queue orders

			# From standard input, through the API
			$ cat orders.ndjson | yafdp order submit --file - --via api --api-url https://abc123.execute-api.eu-west-1.amazonaws.com/prod/orders

			# One order from flags
			$ yafdp order submit --queue orders --order-id ord_1 --customer-id cus_1 --restaurant-id rst_1 --item PIZ-1:2:1250 --currency EUR --line1 "1 Main St" --city Berlin --postal-code 10115 --country DE
		`)

// NewCmdSubmit returns `yafdp order submit`. runF replaces runSubmit in
// tests.
func NewCmdSubmit(f *cmdutil.Factory, runF func(context.Context, *SubmitOptions) error) *cobra.Command {
	opts := &SubmitOptions{Deps: f.Deps(), Now: time.Now}
	cmd := &cobra.Command{
		Use:     "submit",
		Short:   "Put orders on the orders queue, or POST them to the API",
		Long:    submitLong,
		Example: submitExample,
		Args:    cobra.NoArgs,
		RunE:    cmdutil.RunE(opts, opts.parse, runF, runSubmit),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Queue, "queue", "", "Send to this queue `URL|NAME` (default: the environment's queue)")
	fl.StringVarP(&opts.File, "file", "f", "", "Read orders from `file`: NDJSON or a JSON array; - for standard input")
	fl.IntVar(&opts.Generate, "generate", 0, "Generate `n` realistic orders")
	fl.Uint64Var(&opts.Seed, "seed", 1, "Seed for --generate: same seed, same orders")
	fl.StringVar(&opts.Start, "start", "", "placedAt of the first generated order, RFC 3339 (default now)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "Validate and show what would be sent; send nothing")
	fl.IntVar(&opts.Concurrency, "concurrency", 8, "Keep at most `n` calls in flight")
	fl.Var(cmdutil.LimitFlag(&opts.Rate), "rate", "Send at most this many orders per second or minute, e.g. 50/s or 3000/m (0: no limit)")
	fl.IntVar(&opts.Attempts, "attempts", 8, "Send one order at most `n` times before reporting it failed")
	fl.StringVar(&opts.Via, "via", "sqs", "Send through `sqs` (SendMessageBatch) or api (POST to --api-url)")
	fl.StringVar(&opts.APIURL, "api-url", "", "With --via api: the orders resource `URL` of the API Gateway stage")
	fl.StringVar(&opts.APIKey, "api-key", "", "With --via api: send this `key` as x-api-key")
	fl.StringVar(&opts.OrderID, "order-id", "", "One order: its `id` (ord_...)")
	fl.StringVar(&opts.CustomerID, "customer-id", "", "One order: the customer `id` (cus_...)")
	fl.StringVar(&opts.RestaurantID, "restaurant-id", "", "One order: the restaurant `id` (rst_...)")
	fl.StringArrayVar(&opts.Items, "item", nil, "One order: an item `SKU:QTY:UNIT_PRICE_CENTS` (repeatable)")
	fl.StringVar(&opts.Currency, "currency", "EUR", "One order: ISO 4217 `code`")
	fl.StringVar(&opts.Line1, "line1", "", "One order: delivery address first `line`")
	fl.StringVar(&opts.City, "city", "", "One order: delivery `city`")
	fl.StringVar(&opts.PostalCode, "postal-code", "", "One order: delivery postal `code`")
	fl.StringVar(&opts.Country, "country", "", "One order: delivery country, ISO 3166-1 alpha-2 `code`")
	fl.StringVar(&opts.PlacedAt, "placed-at", "", "One order: placedAt, RFC 3339 (default now)")
	_ = cmd.RegisterFlagCompletionFunc("via", cobra.FixedCompletions([]string{"sqs", "api"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("file", "json", "ndjson", "jsonl")
	_ = cmd.RegisterFlagCompletionFunc("queue", cmdutil.CompleteQueues(f))
	return cmd
}

var oneOrderFlags = []string{"order-id", "customer-id", "restaurant-id", "item", "line1", "city", "postal-code", "country", "placed-at"}

// parse checks the flags, reads and validates every order. Every error is
// a usage error naming the flag or the order's line and field.
func (o *SubmitOptions) parse(cmd *cobra.Command, _ []string) error {
	fl := cmd.Flags()
	if err := o.checkSource(fl); err != nil {
		return err
	}
	if o.Concurrency < 1 || o.Concurrency > 100 {
		return cmdutil.FlagErrorf("--concurrency: must be 1 to 100, not %d", o.Concurrency)
	}
	if o.Attempts < 1 || o.Attempts > 100 {
		return cmdutil.FlagErrorf("--attempts: must be 1 to 100, not %d", o.Attempts)
	}
	if err := o.checkTarget(fl); err != nil {
		return err
	}
	var lines []int
	var err error
	switch {
	case fl.Changed("file"):
		o.orders, lines, err = o.readFile()
	case fl.Changed("generate"):
		o.orders, err = o.generate()
	default:
		o.orders, err = o.fromFlags()
	}
	if err != nil {
		return err
	}
	if len(o.orders) == 0 {
		return cmdutil.UsageErrorf("--file %s: no orders in it", o.File)
	}
	if o.plan, err = submit.NewPlan(o.queue.Queue(), o.orders); err != nil {
		return o.orderError(err, lines, fl.Changed("generate"))
	}
	return nil
}

// checkSource checks that the orders come one way only.
func (o *SubmitOptions) checkSource(fl *pflag.FlagSet) error {
	oneOrder := slices.ContainsFunc(oneOrderFlags, fl.Changed)
	sources := 0
	for _, given := range []bool{fl.Changed("file"), fl.Changed("generate"), oneOrder} {
		if given {
			sources++
		}
	}
	switch {
	case sources == 0:
		return cmdutil.FlagErrorf("no orders: give --file FILE (- for standard input), --generate N, or one order's flags (--order-id, --customer-id, ...)")
	case sources > 1:
		return cmdutil.FlagErrorf("give orders one way only: --file, --generate, or one order's flags")
	}
	return nil
}

// checkTarget checks where the orders go: the queue (parsed once here)
// or the API.
func (o *SubmitOptions) checkTarget(fl *pflag.FlagSet) error {
	switch o.Via {
	case "sqs":
		if fl.Changed("api-url") || fl.Changed("api-key") {
			return cmdutil.FlagErrorf("--api-url and --api-key go with --via api")
		}
		cfg, err := o.Config()
		if err != nil {
			return err
		}
		if o.Queue == "" {
			o.Queue = cfg.Queue
		}
		if o.Queue == "" {
			return cmdutil.FlagErrorf("--queue: no queue given; pass --queue URL|NAME or select an environment with a queue (--env)")
		}
		if o.queue, err = awsops.ParseQueueRef("queue", o.Queue); err != nil {
			return cmdutil.FlagError(err)
		}
	case "api":
		if fl.Changed("queue") {
			return cmdutil.FlagErrorf("--queue goes with --via sqs; --via api sends to --api-url")
		}
		if err := apisubmit.CheckURL(o.APIURL); err != nil {
			return cmdutil.FlagError(err)
		}
	default:
		return cmdutil.FlagErrorf("--via: %q is not sqs or api", o.Via)
	}
	return nil
}

// orderError says which order is invalid: its line in --file, its place
// among the generated ones, or the one order of the flags.
func (o *SubmitOptions) orderError(err error, lines []int, generated bool) error {
	var oe *submit.OrderError
	if !errors.As(err, &oe) {
		return cmdutil.UsageErrorf("%v", err)
	}
	switch {
	case lines != nil:
		return cmdutil.UsageErrorf("--file %s line %d: %v; nothing was sent", displayName(o.File), lines[oe.Index-1], oe.Err)
	case generated:
		return cmdutil.UsageErrorf("generated order %d: %v; nothing was sent", oe.Index, oe.Err)
	}
	return cmdutil.UsageErrorf("the order: %v; nothing was sent", oe.Err)
}

func displayName(file string) string {
	if file == "-" {
		return "(standard input)"
	}
	return file
}

// readFile reads --file (- for standard input), streamed, and returns
// each order with its line.
func (o *SubmitOptions) readFile() ([]order.Order, []int, error) {
	name := displayName(o.File)
	r := o.IO.In
	if o.File != "-" {
		f, err := os.Open(o.File)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, nil, cmdutil.UsageErrorf("--file %s: %v", name, err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, nil, cmdutil.UsageErrorf("--file %s: is a directory", name)
		}
		r = f
	}
	orders, lines, err := order.ReadFrom(r)
	if e, ok := input.As(err); ok && e.Line > 0 {
		return nil, nil, cmdutil.UsageErrorf("--file %s %v; nothing was sent", name, err)
	} else if err != nil {
		return nil, nil, cmdutil.UsageErrorf("--file %s: %v", name, err)
	}
	return orders, lines, nil
}

func (o *SubmitOptions) generate() ([]order.Order, error) {
	if o.Generate < 1 || o.Generate > 1_000_000 {
		return nil, cmdutil.FlagErrorf("--generate: must be 1 to 1,000,000, not %d", o.Generate)
	}
	start := o.Now().UTC().Truncate(time.Second)
	if o.Start != "" {
		t, err := time.Parse(time.RFC3339, o.Start)
		if err != nil {
			return nil, cmdutil.FlagErrorf("--start: %q is not an RFC 3339 time such as 2026-01-01T12:00:00Z", o.Start)
		}
		start = t
	}
	return order.Generate(o.Seed, o.Generate, start), nil
}

// fromFlags builds the one order of the flags; --item is
// SKU:QTY:UNIT_PRICE_CENTS.
func (o *SubmitOptions) fromFlags() ([]order.Order, error) {
	ord := order.Order{OrderID: o.OrderID, CustomerID: o.CustomerID, RestaurantID: o.RestaurantID, Currency: o.Currency,
		DeliveryAddress: order.Address{Line1: o.Line1, City: o.City, PostalCode: o.PostalCode, Country: o.Country}, PlacedAt: o.PlacedAt}
	if ord.PlacedAt == "" {
		ord.PlacedAt = o.Now().UTC().Format(time.RFC3339)
	}
	if len(o.Items) == 0 {
		return nil, cmdutil.FlagErrorf("--item: one order needs at least one item, SKU:QTY:UNIT_PRICE_CENTS such as PIZ-1:2:1250")
	}
	for _, spec := range o.Items {
		parts := strings.Split(spec, ":")
		if len(parts) != 3 {
			return nil, cmdutil.FlagErrorf("--item %q: write SKU:QTY:UNIT_PRICE_CENTS, such as PIZ-1:2:1250", spec)
		}
		qty, err1 := strconv.Atoi(parts[1])
		price, err2 := strconv.ParseInt(parts[2], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, cmdutil.FlagErrorf("--item %q: quantity and unit price must be whole numbers (SKU:QTY:UNIT_PRICE_CENTS)", spec)
		}
		ord.Items = append(ord.Items, order.Item{SKU: parts[0], Qty: qty, UnitPriceCents: price})
		ord.TotalCents += int64(qty) * price
	}
	if err := ord.Validate(); err != nil {
		return nil, cmdutil.FlagError(err)
	}
	return []order.Order{ord}, nil
}

var submitColumns = []output.Column[submit.SubmittedOrder]{
	{Header: "Order", Value: func(o submit.SubmittedOrder) string { return o.OrderID }},
	{Header: "Message ID", Value: func(o submit.SubmittedOrder) string { return dash(o.MessageID) }},
	{Header: "Status", Value: func(o submit.SubmittedOrder) string { return o.Status }, Tone: func(o submit.SubmittedOrder) ui.Tone {
		switch o.Status {
		case submit.StatusSent:
			return ui.ToneSuccess
		case submit.StatusUnknown:
			return ui.ToneWarning
		}
		return ui.ToneFailure
	}},
	{Header: "Attempts", Value: func(o submit.SubmittedOrder) string { return strconv.Itoa(o.Attempts) }, Align: ui.AlignRight},
	{Header: "Error", Value: func(o submit.SubmittedOrder) string { return o.Error }},
}

var planColumns = []output.Column[submit.PlannedMessage]{
	{Header: "Order", Value: func(p submit.PlannedMessage) string { return p.OrderID }},
	{Header: "Batch", Value: func(p submit.PlannedMessage) string { return strconv.Itoa(p.Batch) }, Align: ui.AlignRight},
	{Header: "Bytes", Value: func(p submit.PlannedMessage) string { return ui.Count(int64(p.Bytes)) }, Align: ui.AlignRight},
	{Header: "Group", Value: func(p submit.PlannedMessage) string { return dash(p.GroupID) }},
	{Header: "Dedup ID", Value: func(p submit.PlannedMessage) string { return dash(p.DedupID) }},
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// target names where the orders go, for people.
func (o *SubmitOptions) target() string {
	if o.Via == "api" {
		return o.APIURL
	}
	return o.queue.Queue().Name
}

func runSubmit(ctx context.Context, o *SubmitOptions) error {
	p, err := o.Printer()
	if err != nil {
		return err
	}
	errS := ui.NewStyles(o.IO.ErrColorEnabled())
	if o.DryRun {
		return o.printPlan(p, errS)
	}
	start := o.Now()
	bar := o.progressBar()
	res, target, err := o.send(ctx, bar.Set)
	bar.Done()
	if err != nil {
		return cmdutil.InputError(err)
	}
	if err := output.PrintList(p, res.Orders, submitColumns...); err != nil {
		return err
	}
	summary := fmt.Sprintf("%s %s of %s to %s in %s (%s, %s)", errS.Header("Sent"), ui.Count(int64(res.Sent)), ui.Plural(len(res.Orders), "order"), target,
		ui.Duration(o.Now().Sub(start)), ui.Plural(res.Calls, "call"), ui.Plural(res.Retries, "retry"))
	if res.Failed > 0 {
		summary += "; " + errS.Failure(ui.Plural(res.Failed, "order")+" failed")
	}
	if res.Unknown > 0 {
		summary += "; " + errS.Warning(ui.Plural(res.Unknown, "order")+" unknown (no answer: SQS may hold them; check before sending them again)")
	}
	fmt.Fprintln(o.IO.ErrOut, summary)
	switch {
	case ctx.Err() != nil:
		return cmdutil.ErrInterrupted
	case res.Failed > 0 || res.Unknown > 0:
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed}
	}
	return nil
}

// printPlan shows the dry run: how each order would be sent.
func (o *SubmitOptions) printPlan(p *output.Printer, errS *ui.Styles) error {
	if err := output.PrintList(p, o.plan.Messages, planColumns...); err != nil {
		return err
	}
	batches := 0
	if n := len(o.plan.Messages); n > 0 {
		batches = o.plan.Messages[n-1].Batch
	}
	how := fmt.Sprintf("in %s", ui.Plural(batches, "SendMessageBatch call"))
	if o.Via == "api" {
		how = "as " + ui.Plural(len(o.plan.Messages), "POST")
	}
	fmt.Fprintf(o.IO.ErrOut, "%s %s valid; they would go to %s %s. Nothing was sent.\n", errS.Header("Dry run:"), ui.Plural(len(o.plan.Messages), "order"), o.target(), how)
	return nil
}

// progressBar is a bar on a terminal for 50 orders or more.
func (o *SubmitOptions) progressBar() *ui.Progress {
	if len(o.orders) >= 50 && o.IO.CanRedraw() {
		return ui.NewProgress(o.IO.ErrOut, int64(len(o.orders)), "orders submitted")
	}
	return nil
}

// send sends the plan through the API or to the queue, which it resolves
// first, and says where the orders went.
func (o *SubmitOptions) send(ctx context.Context, progress func(done int64)) (*submit.Result, string, error) {
	done := func(n int) { progress(int64(n)) }
	if o.Via == "api" {
		var timeout time.Duration
		if cfg, err := o.Config(); err == nil {
			timeout = cfg.Timeout
		}
		res, err := apisubmit.Submit(ctx, o.plan, apisubmit.Options{URL: o.APIURL, APIKey: o.APIKey, Concurrency: o.Concurrency,
			Rate: o.Rate, MaxAttempts: o.Attempts, HTTPClient: o.HTTPClient, Timeout: timeout, TraceID: o.TraceID, Progress: done})
		return res, o.APIURL, err
	}
	c, err := o.SQSClient(ctx)
	if err != nil {
		return nil, "", err
	}
	q, err := awsops.ResolveQueue(ctx, c, "queue", o.queue)
	if err != nil {
		return nil, "", err
	}
	res := submit.Submit(ctx, c, q.URL, o.plan, submit.Options{Concurrency: o.Concurrency, Rate: o.Rate,
		MaxAttempts: o.Attempts, TraceID: o.TraceID, Progress: done})
	return res, q.Name, nil
}
