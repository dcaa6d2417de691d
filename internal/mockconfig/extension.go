package mockconfig

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/latency"
)

// ExtensionKey is the top-level field of a mock config that holds yafdp's
// extensions. Step Functions Local and LocalStack read StateMachines and
// MockedResponses and ignore other top-level fields, so a config with
// extensions still runs on them, without the extensions.
const ExtensionKey = "Yafdp"

// Extension is what yafdp adds to a mocked response, from
// Yafdp.MockedResponses.<name>:
//
//	"Yafdp": {"MockedResponses": {
//	  "Charged": {
//	    "Latency": "lognormal(80ms,250ms)",
//	    "Chances": [{"Probability": "5%", "Throw": {"Error": "Payment.Throttled", "Cause": "429"}}]
//	  },
//	  "RealPayment": {"Fake": "payment.charge"}
//	}}
//
// Latency delays every answer on the execution's clock. Chances replace the
// indexed answer of an invocation, each with its probability (an invocation
// draws once; the chances' sum is at most 1). A response with an extension
// answers the invocations past its last index with its last answer, so that
// a probabilistic response serves any number of retries. Fake hands the
// call to one of yafdp's built-in fake services instead (its ledger and
// invariant checker then see the call); it takes no Latency or Chances, the
// fakes' own --latency and --fault apply.
type Extension struct {
	Latency latency.Distribution
	Chances []Chance
	Fake    string

	sampler latency.Sampler
}

// Chance is an answer an invocation gets with a probability.
type Chance struct {
	Probability float64
	Answer
	// Latency, when set, replaces the response's for this answer.
	Latency    latency.Distribution
	HasLatency bool

	sampler latency.Sampler
}

// parseExtensions reads the Yafdp section into c.Responses: an extension for
// a response MockedResponses has, or a new response that names a Fake.
func (c *Config) parseExtensions(v any) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return problem("", ExtensionKey, "must be an object with MockedResponses, not "+value.TypeName(v))
	}
	for _, k := range sortedKeys(obj) {
		if k != "MockedResponses" {
			return problem("", ExtensionKey+key(k), "unknown field; the Yafdp section has MockedResponses")
		}
	}
	responses, err := object(obj, "MockedResponses", ExtensionKey+".MockedResponses", false)
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(responses) {
		at := ExtensionKey + ".MockedResponses" + key(name)
		ext, err := parseExtension(at, responses[name])
		if err != nil {
			return err
		}
		r, ok := c.Responses[name]
		switch {
		case !ok && ext.Fake == "":
			return problem("", at, fmt.Sprintf("no mocked response named %q in MockedResponses%s; the Yafdp section extends a response the config has (or names a Fake)", name, suggest(name, sortedKeys(c.Responses))))
		case !ok:
			r = &Response{Name: name}
			c.Responses[name] = r
		}
		r.Ext = ext
	}
	return nil
}

func parseExtension(at string, v any) (*Extension, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, problem("", at, `must be an object with Latency, Chances or Fake, as in {"Latency": "lognormal(80ms,250ms)"}, not `+value.TypeName(v))
	}
	ext := &Extension{}
	for _, k := range sortedKeys(obj) {
		var err error
		switch k {
		case "Latency":
			ext.Latency, err = parseLatency(at+".Latency", obj[k])
		case "Chances":
			ext.Chances, err = parseChances(at+".Chances", obj[k])
		case "Fake":
			s, ok := obj[k].(string)
			if !ok || s == "" {
				return nil, problem("", at+".Fake", `must name a built-in fake, as in "payment.charge"`)
			}
			ext.Fake = s
		default:
			return nil, problem("", at+key(k), "unknown field; a Yafdp response has Latency, Chances or Fake")
		}
		if err != nil {
			return nil, err
		}
	}
	if ext.Fake != "" && (len(obj) > 1) {
		return nil, problem("", at+".Fake", "a Fake answers with the fake's own latency and faults (--latency, --fault); drop Latency and Chances")
	}
	if len(obj) == 0 {
		return nil, problem("", at, "is empty; give Latency, Chances or Fake")
	}
	ext.sampler = latency.NewSampler(ext.Latency)
	return ext, nil
}

func parseLatency(at string, v any) (latency.Distribution, error) {
	s, ok := v.(string)
	if !ok {
		return latency.Distribution{}, problem("", at, fmt.Sprintf("must be a string such as \"lognormal(80ms,250ms)\"; valid forms: %s", strings.Join(latency.Forms(), ", ")))
	}
	d, err := latency.Parse(s)
	if err != nil {
		return latency.Distribution{}, problem("", at, err.Error())
	}
	return d, nil
}

func parseChances(at string, v any) ([]Chance, error) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, problem("", at, `must be a list of chances, as in [{"Probability": "5%", "Throw": {"Error": "Payment.Throttled", "Cause": "429"}}]`)
	}
	out := make([]Chance, len(list))
	sum := 0.0
	for i, item := range list {
		cat := at + "[" + strconv.Itoa(i) + "]"
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, problem("", cat, "must be an object with Probability and Return or Throw, not "+value.TypeName(item))
		}
		rest := make(map[string]any, len(obj))
		c := &out[i]
		for _, k := range sortedKeys(obj) {
			var err error
			switch k {
			case "Probability":
				c.Probability, err = parseProbability(cat+".Probability", obj[k])
			case "Latency":
				c.Latency, err = parseLatency(cat+".Latency", obj[k])
				c.HasLatency = true
			default:
				rest[k] = obj[k]
			}
			if err != nil {
				return nil, err
			}
		}
		if _, ok := obj["Probability"]; !ok {
			return nil, problem("", cat+".Probability", `is required: the share of invocations that get this answer, as in "5%" or 0.05`)
		}
		a, err := parseAnswer(cat, "0", rest)
		if err != nil {
			return nil, err
		}
		c.Answer = *a
		c.sampler = latency.NewSampler(c.Latency)
		sum += c.Probability
	}
	if sum > 1+1e-9 {
		return nil, problem("", at, fmt.Sprintf("the probabilities add up to %g, more than 1; lower them", sum))
	}
	return out, nil
}

// parseProbability reads a probability: a number from 0 to 1, or a
// percentage string such as "5%".
func parseProbability(at string, v any) (float64, error) {
	var p float64
	switch t := v.(type) {
	case string:
		num, isPercent := strings.CutSuffix(strings.TrimSpace(t), "%")
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || !isPercent {
			return 0, problem("", at, fmt.Sprintf("%q is not a probability; write a number from 0 to 1 or a percentage such as \"5%%\"", t))
		}
		p = f / 100
	default:
		f, ok := value.Float(v)
		if !ok {
			return 0, problem("", at, "must be a number from 0 to 1 or a percentage such as \"5%\", not "+value.TypeName(v))
		}
		p = f
	}
	if math.IsNaN(p) || p < 0 || p > 1 {
		return 0, problem("", at, fmt.Sprintf("%g is not a probability; give one from 0 to 1 (0%% to 100%%)", p))
	}
	return p, nil
}

// Fakes lists the built-in fakes the config's responses name, with the path
// of each in the file, for a runner to check against the fakes it has.
func (c *Config) Fakes() map[string]string {
	out := map[string]string{}
	for _, name := range sortedKeys(c.Responses) {
		if ext := c.Responses[name].Ext; ext != nil && ext.Fake != "" {
			out[ExtensionKey+".MockedResponses"+key(name)+".Fake"] = ext.Fake
		}
	}
	return out
}

// CheckFakes reports the first Fake that known does not accept, naming the
// fakes there are.
func (c *Config) CheckFakes(known func(string) bool, names []string) error {
	fakes := c.Fakes()
	for _, at := range sortedKeys(fakes) {
		if !known(fakes[at]) {
			return problem(c.file, at, fmt.Sprintf("no built-in fake named %q; the fakes are %s", fakes[at], strings.Join(names, ", ")))
		}
	}
	return nil
}
