package order

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v7"

	"github.com/yafdp/yafdp/internal/mix"
)

// Generator produces realistic orders, deterministically from a seed: the
// same seed and start give the same orders, in the same order. Restaurants
// and customers come from fixed pools per market, so customers order again
// (one FIFO message group per customer) and popular restaurants get more
// orders. A Generator is not safe for concurrent use.
type Generator struct {
	fake    *gofakeit.Faker
	rng     *rand.Rand
	seed    uint64
	idKey   uint64
	start   time.Time
	elapsed time.Duration
	n       uint64
	markets []*market
}

type market struct {
	country, currency string
	weight            float64
	cities            []city
	streets           []string
	index             int
	// Restaurants and customers are built on first use, each from its own
	// source derived from the seed, so a generator that makes a handful of
	// orders does not pay for whole markets.
	restaurants []*restaurant
	customers   []*customer
}

type city struct {
	name       string
	postalCode func(g *Generator) string
}

type restaurant struct {
	id   string
	menu []Item
}

type customer struct {
	id   string
	addr Address
}

const (
	restaurantsPerMarket = 40
	customersPerMarket   = 1500
	// meanGap is the mean time between two generated orders.
	meanGap = 100 * time.Millisecond
)

// NewGenerator returns a generator whose first order is placed at start.
func NewGenerator(seed uint64, start time.Time) *Generator {
	src := rand.NewPCG(seed, seed^0x5eed0fde11c1005)
	g := &Generator{
		// gofakeit.New(0) would seed from crypto/rand; build the Faker on
		// our own source so seed 0 is as reproducible as any other.
		fake:  gofakeit.NewFaker(src, false),
		rng:   rand.New(src),
		seed:  seed,
		idKey: mix.Bits(seed ^ 0x0dde5),
		start: start.UTC(),
	}
	g.markets = g.buildMarkets()
	return g
}

// Generate returns n orders from NewGenerator(seed, start).
func Generate(seed uint64, n int, start time.Time) []Order {
	g := NewGenerator(seed, start)
	out := make([]Order, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

// Next returns the next order. Its id is unique among the orders of this
// generator; placedAt never goes backwards.
func (g *Generator) Next() Order {
	i := g.n
	g.n++
	if i > 0 {
		g.elapsed += time.Duration(g.rng.ExpFloat64() * float64(meanGap))
	}
	m := g.pickMarket()
	r := g.restaurant(m, skewed(g.rng, len(m.restaurants)))
	c := g.customer(m, skewed(g.rng, len(m.customers)))

	lines := 1
	for u := g.rng.Float64(); lines < len(lineWeights) && u >= lineWeights[lines-1]; lines++ {
		u -= lineWeights[lines-1]
	}
	lines = min(lines, len(r.menu))
	items := make([]Item, 0, lines)
	var total int64
	for _, k := range g.rng.Perm(len(r.menu))[:lines] {
		it := r.menu[k]
		it.Qty = 1
		if g.rng.IntN(4) == 0 {
			it.Qty = 2 + g.rng.IntN(3)
		}
		total += int64(it.Qty) * it.UnitPriceCents
		items = append(items, it)
	}
	addr := c.addr
	if g.rng.IntN(6) == 0 {
		addr.Instructions = instructions[g.rng.IntN(len(instructions))]
	}
	return Order{
		OrderID:         OrderIDPrefix + encodeID(mix.Bits(g.idKey+i)),
		CustomerID:      c.id,
		RestaurantID:    r.id,
		Items:           items,
		Currency:        m.currency,
		TotalCents:      total,
		DeliveryAddress: addr,
		PlacedAt:        g.start.Add(g.elapsed).Format("2006-01-02T15:04:05.000Z07:00"),
	}
}

func (g *Generator) pickMarket() *market {
	u := g.rng.Float64()
	for _, m := range g.markets {
		if u < m.weight {
			return m
		}
		u -= m.weight
	}
	return g.markets[len(g.markets)-1]
}

// skewed picks an index in [0,n) with low indexes more popular.
func skewed(r *rand.Rand, n int) int {
	u := r.Float64()
	return int(u * u * float64(n))
}

// lineWeights is the share of orders with 1, 2, 3, 4 and 5 lines.
var lineWeights = []float64{0.35, 0.35, 0.18, 0.08, 0.04}

var instructions = []string{
	"Ring the bell twice", "Leave at the door", "Call on arrival", "Third floor, no lift",
	"Side entrance", "Please do not ring, baby sleeping",
}

func (g *Generator) buildMarkets() []*market {
	f := g.fake
	digits := func(lo, hi int) func(*Generator) string {
		return func(g *Generator) string { return strconv.Itoa(lo + g.rng.IntN(hi-lo+1)) }
	}
	padded := func(lo, hi, width int) func(*Generator) string {
		return func(g *Generator) string {
			s := strconv.Itoa(lo + g.rng.IntN(hi-lo+1))
			return strings.Repeat("0", max(0, width-len(s))) + s
		}
	}
	letters := "ABDEFGHJLNPQRSTUWXYZ"
	ukPostcode := func(area string) func(*Generator) string {
		return func(g *Generator) string {
			return area + strconv.Itoa(1+g.rng.IntN(20)) + " " + strconv.Itoa(g.rng.IntN(10)) +
				string(letters[g.rng.IntN(len(letters))]) + string(letters[g.rng.IntN(len(letters))])
		}
	}
	nlPostcode := func(lo, hi int) func(*Generator) string {
		return func(g *Generator) string {
			return strconv.Itoa(lo+g.rng.IntN(hi-lo+1)) + " " +
				string(letters[g.rng.IntN(len(letters))]) + string(letters[g.rng.IntN(len(letters))])
		}
	}
	usCities := make([]city, 6)
	for i := range usCities {
		usCities[i] = city{name: f.City(), postalCode: func(g *Generator) string { return g.fake.Zip() }}
	}
	markets := []*market{
		{country: "US", currency: "USD", weight: 0.35, cities: usCities},
		{country: "GB", currency: "GBP", weight: 0.2, cities: []city{
			{"London", ukPostcode("SW")}, {"Manchester", ukPostcode("M")}, {"Birmingham", ukPostcode("B")},
			{"Leeds", ukPostcode("LS")}, {"Bristol", ukPostcode("BS")},
		}, streets: []string{"High Street", "Station Road", "Church Lane", "Victoria Road", "Park Road", "London Road", "Mill Lane", "Queens Road"}},
		{country: "DE", currency: "EUR", weight: 0.2, cities: []city{
			{"Berlin", digits(10115, 14199)}, {"Hamburg", digits(20095, 22769)}, {"München", digits(80331, 81929)},
			{"Köln", digits(50667, 51149)}, {"Frankfurt am Main", digits(60306, 60599)},
		}, streets: []string{"Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Bergstraße", "Lindenstraße", "Kirchweg", "Am Markt"}},
		{country: "FR", currency: "EUR", weight: 0.15, cities: []city{
			{"Paris", padded(75001, 75020, 5)}, {"Lyon", padded(69001, 69009, 5)}, {"Marseille", padded(13001, 13016, 5)},
			{"Toulouse", padded(31000, 31500, 5)},
		}, streets: []string{"Rue de la Paix", "Avenue Victor Hugo", "Rue Nationale", "Boulevard Voltaire", "Rue du Moulin", "Place de la République"}},
		{country: "NL", currency: "EUR", weight: 0.1, cities: []city{
			{"Amsterdam", nlPostcode(1011, 1109)}, {"Rotterdam", nlPostcode(3011, 3089)}, {"Utrecht", nlPostcode(3511, 3585)},
		}, streets: []string{"Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Prinsengracht", "Herengracht"}},
	}
	for i, m := range markets {
		m.index = i
		m.restaurants = make([]*restaurant, restaurantsPerMarket)
		m.customers = make([]*customer, customersPerMarket)
	}
	return markets
}

// entity returns a generator for restaurant or customer i of market m: its
// own faker and source, so what it builds does not depend on which orders
// came first.
func (g *Generator) entity(m *market, kind uint64, i int) *Generator {
	key := mix.Bits(g.seed ^ mix.Bits(uint64(m.index)<<40|kind<<32|uint64(i)))
	src := rand.NewPCG(key, key^0x5eed0fde11c1005)
	return &Generator{fake: gofakeit.NewFaker(src, false), rng: rand.New(src), seed: g.seed, idKey: g.idKey}
}

// entityID is the id of restaurant or customer i of market m.
func (g *Generator) entityID(prefix string, m *market, kind uint64, i int) string {
	serial := uint64(m.index)*(restaurantsPerMarket+customersPerMarket) + kind*restaurantsPerMarket + uint64(i) + 1
	return prefix + encodeID(mix.Bits(g.idKey^0xc0ffee+serial))
}

func (g *Generator) restaurant(m *market, i int) *restaurant {
	if r := m.restaurants[i]; r != nil {
		return r
	}
	e := g.entity(m, 0, i)
	r := &restaurant{id: g.entityID(RestaurantIDPrefix, m, 0, i), menu: e.menu()}
	m.restaurants[i] = r
	return r
}

func (g *Generator) customer(m *market, i int) *customer {
	if c := m.customers[i]; c != nil {
		return c
	}
	e := g.entity(m, 1, i)
	c := &customer{id: g.entityID(CustomerIDPrefix, m, 1, i), addr: e.address(m)}
	m.customers[i] = c
	return c
}

func (g *Generator) address(m *market) Address {
	c := m.cities[g.rng.IntN(len(m.cities))]
	a := Address{City: c.name, PostalCode: c.postalCode(g), Country: m.country}
	num := strconv.Itoa(1 + g.rng.IntN(180))
	switch m.country {
	case "US":
		a.Line1 = g.fake.Street()
		if g.rng.IntN(4) == 0 {
			a.Line2 = "Apt " + strconv.Itoa(1+g.rng.IntN(40)) + string(rune('A'+g.rng.IntN(6)))
		}
	case "GB", "FR":
		a.Line1 = num + " " + m.streets[g.rng.IntN(len(m.streets))]
	default:
		a.Line1 = m.streets[g.rng.IntN(len(m.streets))] + " " + num
	}
	return a
}

// course is one section of a menu.
type course struct {
	code     string
	dish     func(*gofakeit.Faker) string
	lo, hi   int64 // price range in cents
	min, max int   // dishes on a menu
}

var courses = []course{
	{"STA", (*gofakeit.Faker).Snack, 399, 999, 2, 4},
	{"LUN", (*gofakeit.Faker).Lunch, 799, 1699, 2, 5},
	{"MAI", (*gofakeit.Faker).Dinner, 1099, 2899, 3, 7},
	{"DES", (*gofakeit.Faker).Dessert, 399, 899, 1, 3},
	{"DRI", (*gofakeit.Faker).Drink, 199, 599, 2, 4},
}

func (g *Generator) menu() []Item {
	var items []Item
	for _, c := range courses {
		n := c.min + g.rng.IntN(c.max-c.min+1)
		for k := 0; k < n; k++ {
			// The line number keeps skus unique on the menu.
			sku := c.code + "-" + slug(c.dish(g.fake)) + "-" + strconv.Itoa(10+len(items))
			// Menu prices end in 9: 1249, 1299.
			price := c.lo + g.rng.Int64N(c.hi-c.lo+1)
			price = (price/50)*50 + 49
			if price%100 == 49 && g.rng.IntN(2) == 0 {
				price += 50
			}
			items = append(items, Item{SKU: sku, Qty: 1, UnitPriceCents: price})
		}
	}
	return items
}

// slug turns a dish name into the upper-case letters of its first two words:
// "Cheesy chicken enchiladas" → CHEESY-CHICKEN.
func slug(name string) string {
	var b strings.Builder
	words := 0
	for _, w := range strings.Fields(name) {
		var part strings.Builder
		for _, r := range strings.ToUpper(w) {
			if r >= 'A' && r <= 'Z' {
				part.WriteRune(r)
			}
		}
		if part.Len() == 0 {
			continue
		}
		if words > 0 {
			b.WriteByte('-')
		}
		s := part.String()
		b.WriteString(s[:min(len(s), 10)])
		if words++; words == 2 {
			break
		}
	}
	if b.Len() == 0 {
		return "ITEM"
	}
	return b.String()
}

// crockford is Crockford's base 32 in lower case: no i, l, o or u.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// encodeID renders x as 13 base-32 characters.
func encodeID(x uint64) string {
	var b [13]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = crockford[x&31]
		x >>= 5
	}
	return string(b[:])
}

// IDOf returns the order id that carries x, as generated ids do:
// OrderIDPrefix and x in 13 base-32 characters.
func IDOf(x uint64) string { return OrderIDPrefix + encodeID(x) }

// ParseID returns the x of an id that IDOf made, or false for any other id.
func ParseID(id string) (uint64, bool) {
	digits, ok := strings.CutPrefix(id, OrderIDPrefix)
	if !ok || len(digits) != 13 {
		return 0, false
	}
	var x uint64
	for i := 0; i < len(digits); i++ {
		k := strings.IndexByte(crockford, digits[i])
		if k < 0 {
			return 0, false
		}
		x = x<<5 | uint64(k)
	}
	// 13 digits hold 65 bits; a 64-bit x leaves the first below 16.
	if strings.IndexByte(crockford, digits[0]) > 15 {
		return 0, false
	}
	return x, true
}
