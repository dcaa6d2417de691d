package cmdutil

import (
	"github.com/spf13/pflag"

	"github.com/yafdp/yafdp/internal/rate"
)

// rateValue is the pflag.Value of a rate flag: --rate 500/s, 30000/m.
type rateValue struct {
	r *rate.Rate
	// limit: the rate limits something, so 0 and "unlimited" mean no
	// limit and print as 0 (help then shows no default).
	limit bool
}

// RateFlag makes r a flag value for a rate of zero or more events, such
// as simulate's --rate or --payment-tps; it prints per second.
func RateFlag(r *rate.Rate) pflag.Value { return &rateValue{r: r} }

// LimitFlag makes r a flag value for a rate limit, such as order submit's
// --rate: more than 0, or 0 or "unlimited" for no limit.
func LimitFlag(r *rate.Rate) pflag.Value { return &rateValue{r: r, limit: true} }

func (v *rateValue) Set(s string) error {
	parse := rate.Parse
	if v.limit {
		parse = rate.ParseLimit
	}
	r, err := parse(s)
	if err != nil {
		return err
	}
	*v.r = r
	return nil
}

func (v *rateValue) String() string {
	if v.limit && v.r.IsZero() {
		return "0"
	}
	return v.r.String()
}

func (v *rateValue) Type() string { return "rate" }
