package jsonpath

import (
	"errors"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// storeDoc is the document of the examples in the Jayway JsonPath README.
const storeDoc = `{
  "store": {
    "book": [
      {"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95},
      {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99},
      {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99},
      {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99}
    ],
    "bicycle": {"color": "red", "price": 19.95}
  },
  "expensive": 10
}`

// awsDoc is the input of the examples on the "Paths" page of the Step
// Functions developer guide.
const awsDoc = `{"foo": 123, "bar": ["a", "b", "c"], "car": {"cdr": true},
  "jar": [{"a": 1}, {"a": 5}, {"a": 2}, {"a": 7}, {"a": 3}]}`

const miscDoc = `{
  "a-b": 1, "ünï": "u", "0": "zero", "with space": "s", "": "empty", "x.y": "dot",
  "q'uote": "single", "d\"q": "double", "back\\slash": "bs",
  "n": null, "t": true, "s": "str", "num": 1.50, "big": 12345678901234567890,
  "arr": [0, 1, 2, 3, 4, 5],
  "empty": [],
  "obj": {"b": 2, "a": 1, "c": {"d": 4}},
  "nested": [[1, 2], [3, 4], {"k": [5, 6]}],
  "people": [
    {"name": "ann", "age": 31, "tags": ["x", "y"], "boss": true},
    {"name": "bob", "age": "31", "tags": []},
    {"name": "cy", "age": 17, "nick": null},
    {"name": "dee", "age": 45.5, "boss": false},
    "scalar", 7, null, ["array"]
  ],
  "limit": 30
}`

func mustDecode(t testing.TB, s string) any {
	t.Helper()
	v, err := value.DecodeString(s)
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func TestGet(t *testing.T) {
	docs := map[string]string{"store": storeDoc, "aws": awsDoc, "misc": miscDoc}
	tests := []struct {
		doc, path string
		want      string // JSON, when err is empty
		err       string // the exact error message
	}{
		// The examples of the Jayway README. Object members come in sorted
		// key order ("bicycle" before "book"), where Jayway keeps the
		// document's order.
		{"store", "$.store.book[*].author", `["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]`, ""},
		{"store", "$..author", `["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]`, ""},
		{"store", "$.store.*", `[{"color":"red","price":19.95},[
			{"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95},
			{"category":"fiction","author":"Evelyn Waugh","title":"Sword of Honour","price":12.99},
			{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99},
			{"category":"fiction","author":"J. R. R. Tolkien","title":"The Lord of the Rings","isbn":"0-395-19395-8","price":22.99}]]`, ""},
		{"store", "$.store..price", `[19.95,8.95,12.99,8.99,22.99]`, ""},
		{"store", "$..book[2].title", `["Moby Dick"]`, ""},
		{"store", "$..book[-2].title", `["Moby Dick"]`, ""},
		{"store", "$..book[0,1].title", `["Sayings of the Century","Sword of Honour"]`, ""},
		{"store", "$..book[:2].title", `["Sayings of the Century","Sword of Honour"]`, ""},
		{"store", "$..book[1:2].title", `["Sword of Honour"]`, ""},
		{"store", "$..book[-2:].title", `["Moby Dick","The Lord of the Rings"]`, ""},
		{"store", "$..book[2:].title", `["Moby Dick","The Lord of the Rings"]`, ""},
		{"store", "$..book[?(@.isbn)].title", `["Moby Dick","The Lord of the Rings"]`, ""},
		{"store", "$.store.book[?(@.price < 10)].title", `["Sayings of the Century","Moby Dick"]`, ""},
		{"store", "$..book[?(@.price <= $['expensive'])].title", `["Sayings of the Century","Moby Dick"]`, ""},
		{"store", "$..book[?(@.author =~ /.*REES/i)].title", `["Sayings of the Century"]`, ""},
		{"store", "$..book[?(@.author =~ /REES/i)].title", `[]`, ""}, // =~ matches the whole string
		{"store", "$.store.book[?(@.category == 'fiction' && @.price > 10)].title", `["Sword of Honour","The Lord of the Rings"]`, ""},
		{"store", "$.store.book[?(@.category == 'reference' || @.price > 20)].title", `["Sayings of the Century","The Lord of the Rings"]`, ""},
		{"store", "$.store.book[?(!@.isbn)].title", `["Sayings of the Century","Sword of Honour"]`, ""},
		{"store", "$.store.book[?(!(@.price < 10 || @.price > 20))].title", `["Sword of Honour"]`, ""},
		{"store", "$.store.book[?((@.price < 10 || @.price > 20) && @.isbn)].title", `["Moby Dick","The Lord of the Rings"]`, ""},
		{"store", "$.store.book[?(@.price>10&&@.price<20)].title", `["Sword of Honour"]`, ""},
		{"store", `$.store.book[?(@.title == "Moby Dick")].price`, `[8.99]`, ""},
		{"store", "$.store.book[?(@.author != 'Nigel Rees')].price", `[12.99,8.99,22.99]`, ""},
		{"store", "$.store.book[?(@.isbn != '0-553-21311-3')].title", `["Sayings of the Century","Sword of Honour","The Lord of the Rings"]`, ""},
		{"store", "$.store.book[?(@.price >= 22.99)].title", `["The Lord of the Rings"]`, ""},
		{"store", "$.store.book[?(10 > @.price)].title", `["Sayings of the Century","Moby Dick"]`, ""},
		{"store", "$..[?(@.color)]", `[{"color":"red","price":19.95}]`, ""},
		{"store", "$..[?(@.price > 20)].title", `["The Lord of the Rings"]`, ""},
		{"store", "$.store[?(@.bicycle)].bicycle.color", `["red"]`, ""}, // a filter on an object tests the object
		{"store", "$.store['bicycle','nothing']", `{"bicycle":{"color":"red","price":19.95}}`, ""},
		{"store", "$.store.book[0]['author','title','nope']", `{"author":"Nigel Rees","title":"Sayings of the Century"}`, ""},
		{"store", "$.store.book[*]['author','isbn']", `[{"author":"Nigel Rees"},{"author":"Evelyn Waugh"},
			{"author":"Herman Melville","isbn":"0-553-21311-3"},{"author":"J. R. R. Tolkien","isbn":"0-395-19395-8"}]`, ""},
		{"store", "$['store','expensive']", `{"store":` + storeDocStore + `,"expensive":10}`, ""},
		{"store", "$['store','nothing'].bicycle.color", `["red"]`, ""}, // not last: a union of names
		{"store", "$..['color','price']", `[{"color":"red","price":19.95}]`, ""},
		{"store", "$..book.*.price", `[8.95,12.99,8.99,22.99]`, ""},
		{"store", "$..book..price", `[8.95,12.99,8.99,22.99]`, ""},
		{"store", "$..book[0]..price", `[8.95]`, ""},

		// The examples of the AWS "Paths" page.
		{"aws", "$.foo", `123`, ""},
		{"aws", "$.bar", `["a","b","c"]`, ""},
		{"aws", "$.car.cdr", `true`, ""},
		{"aws", "$.jar[?(@.a >= 5)]", `[{"a":5},{"a":7}]`, ""},
		{"aws", "$.bar[?(@ == 'a')]", `[]`, ""}, // "@" does not match scalar values
		{"aws", "$.bar[1]", `"b"`, ""},
		{"aws", "$.bar[-1]", `"c"`, ""},
		{"aws", "$", awsDoc, ""},

		// Fields and indexes.
		{"misc", "$.a-b", `1`, ""},
		{"misc", "$.ünï", `"u"`, ""},
		{"misc", "$.0", `"zero"`, ""},
		{"misc", "$['0']", `"zero"`, ""},
		{"misc", "$['with space']", `"s"`, ""},
		{"misc", "$[ 'with space' ]", `"s"`, ""},
		{"misc", `$["with space"]`, `"s"`, ""},
		{"misc", "$.['with space']", `"s"`, ""},
		{"misc", "$['']", `"empty"`, ""},
		{"misc", "$['x.y']", `"dot"`, ""},
		{"misc", `$["q'uote"]`, `"single"`, ""},
		{"misc", `$['d"q']`, `"double"`, ""},
		{"misc", `$['back\slash']`, `"bs"`, ""},
		{"misc", `$["q\'uote"]`, ``, `No results for path: $["q\'uote"]`}, // the backslash stays in the name
		{"misc", "$.n", `null`, ""},
		{"misc", "$.t", `true`, ""},
		{"misc", "$.num", `1.50`, ""},
		{"misc", "$.big", `12345678901234567890`, ""},
		{"misc", "$.arr[0]", `0`, ""},
		{"misc", "$.arr[5]", `5`, ""},
		{"misc", "$.arr[-6]", `0`, ""},
		{"misc", "$.arr[ 2 ]", `2`, ""},
		{"misc", "$.obj.c.d", `4`, ""},
		{"misc", "$['obj']['c']['d']", `4`, ""},
		{"misc", "$.nested[2].k[1]", `6`, ""},
		{"misc", "$.nested[1][0]", `3`, ""},
		{"misc", "$.obj.['c'].d", `4`, ""},

		// Definite paths that find nothing.
		{"misc", "$.nope", ``, `No results for path: $['nope']`},
		{"misc", "$.obj.nope", ``, `No results for path: $['obj']['nope']`},
		{"misc", "$.nope.deeper.still", ``, `Missing property in path $['nope']`},
		{"misc", "$.obj.nope.deeper", ``, `Missing property in path $['obj']['nope']`},
		{"misc", "$.arr[6]", ``, `No results for path: $['arr'][6]`},
		{"misc", "$.arr[-7]", ``, `No results for path: $['arr'][-7]`},
		{"misc", "$.arr[6].x", ``, `No results for path: $['arr'][6]['x']`},
		{"misc", "$.empty[0]", ``, `No results for path: $['empty'][0]`},
		{"misc", `$["nope"]`, ``, `No results for path: $["nope"]`},
		{"misc", "$.s.x", ``, `Expected to find an object with property ['x'] in path $['s'] but found 'string'. This is not a json object.`},
		{"misc", "$.n.x", ``, `Expected to find an object with property ['x'] in path $['n'] but found 'null'. This is not a json object.`},
		{"misc", "$.arr.x", ``, `Expected to find an object with property ['x'] in path $['arr'] but found 'array'. This is not a json object.`},
		{"misc", "$.n[0]", ``, `The path $['n'] is null`},
		{"misc", "$.obj[0]", ``, `Filter: [0] can only be applied to arrays. Current context is: {"a":1,"b":2,"c":{"d":4}}`},
		{"misc", "$.t['a','b']", ``, `Expected to find an object with property ['a','b'] in path $['t'] but found 'boolean'. This is not a json object.`},

		// Wildcards.
		{"misc", "$.arr[*]", `[0,1,2,3,4,5]`, ""},
		{"misc", "$.arr.*", `[0,1,2,3,4,5]`, ""},
		{"misc", "$.obj.*", `[1,2,{"d":4}]`, ""},
		{"misc", "$.obj[*]", `[1,2,{"d":4}]`, ""},
		{"misc", "$.obj.*.d", `[4]`, ""},
		{"misc", "$.nested[*][0]", `[1,3]`, ""},
		{"misc", "$.nested[*].k", `[[5,6]]`, ""},
		{"misc", "$.s[*]", `[]`, ""},
		{"misc", "$.nope[*]", `[]`, ""},
		{"misc", "$.empty[*]", `[]`, ""},
		{"misc", "$.people[*].name", `["ann","bob","cy","dee"]`, ""},
		{"misc", "$.people[*].nick", `[null]`, ""},

		// Slices.
		{"misc", "$.arr[1:]", `[1,2,3,4,5]`, ""},
		{"misc", "$.arr[:2]", `[0,1]`, ""},
		{"misc", "$.arr[1:5]", `[1,2,3,4]`, ""},
		{"misc", "$.arr[-2:]", `[4,5]`, ""},
		{"misc", "$.arr[-10:]", `[0,1,2,3,4,5]`, ""},
		{"misc", "$.arr[10:]", `[]`, ""},
		{"misc", "$.arr[:-2]", `[0,1,2,3]`, ""},
		{"misc", "$.arr[:-10]", `[]`, ""},
		{"misc", "$.arr[:10]", `[0,1,2,3,4,5]`, ""},
		{"misc", "$.arr[3:10]", `[3,4,5]`, ""},
		{"misc", "$.arr[4:2]", `[]`, ""},
		{"misc", "$.arr[-3:-1]", `[3,4]`, ""},
		{"misc", "$.arr[1:-1]", `[]`, ""},                // Jayway does not adjust the end
		{"misc", "$.arr[-8:2]", `[0,1,2,3,4,5,0,1]`, ""}, // nor the start
		{"misc", "$.arr[ 1:2 ]", `[1]`, ""},
		{"misc", "$.empty[:1]", `[]`, ""},
		{"misc", "$.obj[1:]", `[]`, ""},

		// Unions of indexes.
		{"misc", "$.arr[0,2]", `[0,2]`, ""},
		{"misc", "$.arr[2,0]", `[2,0]`, ""},
		{"misc", "$.arr[0, -1, 9]", `[0,5]`, ""},
		{"misc", "$.arr[1,1]", `[1,1]`, ""},
		{"misc", "$.nested[0,1][1]", `[2,4]`, ""},

		// Recursive descent.
		{"misc", "$.obj..d", `[4]`, ""},
		{"misc", "$.obj..*", `[1,2,{"d":4},4]`, ""},
		{"misc", "$.nested..[0]", `[[1,2],1,3,5]`, ""},
		{"misc", "$.nested..[1]", `[[3,4],2,4,6]`, ""},
		{"misc", "$.nested..[*]", `[[1,2],[3,4],{"k":[5,6]},1,2,3,4,[5,6],5,6]`, ""},
		{"misc", "$.nested..k[0]", `[5]`, ""},
		{"misc", "$.nested..[0].k", `[[5,6]]`, ""}, // Jayway: the index is skipped after ..
		{"misc", "$..d", `[4]`, ""},
		{"misc", "$.n..x", `[]`, ""},
		{"misc", "$.obj..['a','b']", `[{"a":1,"b":2}]`, ""},

		// Filters.
		{"misc", "$.people[?(@.age > 30)].name", `["ann","dee"]`, ""},
		{"misc", "$.people[?(@.age == 31)].name", `["ann","bob"]`, ""}, // Jayway: 31 == "31"
		{"misc", "$.people[?(@.age == '31')].name", `["ann","bob"]`, ""},
		{"misc", "$.people[?(@.age === 31)].name", ``, "compile"},
		{"misc", "$.people[?(@.age >= 31)].name", `["ann","dee"]`, ""}, // "31" is not a number for >=
		{"misc", "$.people[?(@.age < 31)].name", `["cy"]`, ""},
		{"misc", "$.people[?(@.age <= 31.0)].name", `["ann","cy"]`, ""},
		{"misc", "$.people[?(@.age != 31)].name", `["cy","dee"]`, ""},
		{"misc", "$.people[?(@.nick)].name", `["cy"]`, ""}, // a null field exists
		{"misc", "$.people[?(@.nick == null)].name", `["cy"]`, ""},
		{"misc", "$.people[?(@.nick != null)].name", `["ann","bob","dee"]`, ""},
		{"misc", "$.people[?(@.boss == true)].name", `["ann"]`, ""},
		{"misc", "$.people[?(@.boss == false)].name", `["dee"]`, ""},
		{"misc", "$.people[?(@.boss)].name", `["ann","dee"]`, ""},
		{"misc", "$.people[?(!@.boss)].name", `["bob","cy"]`, ""},
		{"misc", "$.people[?(@.name > 'b')].name", `["bob","cy","dee"]`, ""},
		{"misc", "$.people[?(@.name < 'bob')].name", `["ann"]`, ""},
		{"misc", "$.people[?(@.name < 5)].name", `[]`, ""},
		{"misc", "$.people[?(@.age < $.limit)].name", `["cy"]`, ""},
		{"misc", "$.people[?($.limit > @.age)].name", `["cy"]`, ""},
		{"misc", "$.people[?(@.age > $.nope)].name", `[]`, ""},
		{"misc", "$.people[?($.t)].name", `["ann","bob","cy","dee"]`, ""},
		{"misc", "$.people[?($.nope)].name", `[]`, ""},
		{"misc", "$.people[?(@.tags[0] == 'x')].name", `["ann"]`, ""},
		{"misc", "$.people[?(@.tags[*])].name", `["ann"]`, ""},
		{"misc", "$.people[?(@['name'] == 'bob')].age", `["31"]`, ""},
		{"misc", "$.people[?(@.name =~ /[ab].*/)].name", `["ann","bob"]`, ""},
		{"misc", "$.people[?(@.age =~ /4.*/)].name", `["dee"]`, ""}, // numbers match by their text
		{"misc", "$.people[?(@.nope =~ /.*/)].name", `["ann","bob","cy","dee"]`, ""},
		{"misc", "$.people[?(@.name == 'a\\u006en')].name", `["ann"]`, ""},
		{"misc", "$.people[?(@.name == 'ann' || @.name == 'cy')].age", `[31,17]`, ""},
		{"misc", "$.people[?(@ == 7)]", `[]`, ""},
		{"misc", "$.people[?(@.tags == @.tags)].name", `["ann","bob"]`, ""},
		{"misc", "$.people[?(@.age > 18)][?(@.boss)].name", `["ann","dee"]`, ""},
		{"misc", "$.people[?(@.tags[?(@.x)])].name", `[]`, ""},
		{"misc", "$.obj[?(@.a == 1)].b", `[2]`, ""},
		{"misc", "$.obj[?(@.a == 2)].b", `[]`, ""},
		{"misc", "$.s[?(@.a)]", `[]`, ""},
		{"misc", "$.num[?(@ == 1.5)]", `[]`, ""},
		{"misc", "$[?(@.limit == 30)].limit", `[30]`, ""},
		{"misc", "$.people[?(@.age == 45.50)].name", `["dee"]`, ""},
		{"misc", "$.people[?(@.age == -1e1)].name", `[]`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.doc+" "+tc.path, func(t *testing.T) {
			p, err := Compile(tc.path)
			if tc.err == "compile" {
				if err == nil {
					t.Fatalf("Compile(%q) succeeded, want an error", tc.path)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compile(%q): %v", tc.path, err)
			}
			doc := mustDecode(t, docs[tc.doc])
			before := value.MustEncodeString(doc)
			got, err := p.Get(doc)
			if after := value.MustEncodeString(doc); after != before {
				t.Errorf("Get changed its input:\n%s\nto\n%s", before, after)
			}
			if tc.err != "" {
				var nf *NotFoundError
				if !errors.As(err, &nf) {
					t.Fatalf("Get = %s, %v; want *NotFoundError %q", enc(got), err, tc.err)
				}
				if err.Error() != tc.err {
					t.Fatalf("error = %q, want %q", err.Error(), tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if want := mustDecode(t, tc.want); !value.Equal(got, want) {
				t.Fatalf("Get = %s\nwant  %s", enc(got), enc(want))
			}
			if !p.Definite() {
				if _, ok := got.([]any); !ok || got == nil {
					t.Fatalf("indefinite Get = %#v, want a non-nil []any", got)
				}
			}
		})
	}
}

// storeDocStore is the "store" member of storeDoc.
const storeDocStore = `{"book":[
	{"category":"reference","author":"Nigel Rees","title":"Sayings of the Century","price":8.95},
	{"category":"fiction","author":"Evelyn Waugh","title":"Sword of Honour","price":12.99},
	{"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553-21311-3","price":8.99},
	{"category":"fiction","author":"J. R. R. Tolkien","title":"The Lord of the Rings","isbn":"0-395-19395-8","price":22.99}],
	"bicycle":{"color":"red","price":19.95}}`

func enc(v any) string {
	b, err := value.Encode(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// TestGetEmptyInput covers the paths of the conformance cases recorded on
// AWS with the input {}: every indefinite path yields [].
func TestGetEmptyInput(t *testing.T) {
	for _, src := range []string{
		"$[*]", "$.items[*]", "$.items[1:]", "$.items[:1]", "$.items[1:5]",
		"$.items[*].itemValue", "$.items[1:].itemValue", "$.items[:1].itemValue",
		"$.item.items[*]", "$.item.items[1:]", "$.item.items[:1]", "$.item.items[1:5]",
		"$.item.items[1:5].itemValue", "$..x", "$.a[?(@.b)]", "$.a[0,1]", "$.a.*",
	} {
		got, err := MustCompile(src).Get(map[string]any{})
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if a, ok := got.([]any); !ok || a == nil || len(a) != 0 || enc(got) != "[]" {
			t.Errorf("%s = %#v, want an empty []any", src, got)
		}
	}
}

// TestGetNumberKinds checks that every number kind of package value works
// in filters and indexes.
func TestGetNumberKinds(t *testing.T) {
	doc := map[string]any{"xs": []any{
		map[string]any{"n": 1},
		map[string]any{"n": int64(2)},
		map[string]any{"n": 3.0},
		map[string]any{"n": float64(4.5)},
		map[string]any{"n": value.IntNumber(5)},
	}}
	got, err := MustCompile("$.xs[?(@.n >= 2 && @.n < 5)].n").Get(doc)
	if err != nil {
		t.Fatal(err)
	}
	if want := []any{int64(2), 3.0, 4.5}; !value.Equal(got, want) {
		t.Errorf("got %s, want %s", enc(got), enc(want))
	}
	got, err = MustCompile("$.xs[?(@.n == 5)].n").Get(doc)
	if err != nil || !value.Equal(got, []any{5}) {
		t.Errorf("== 5: got %s, %v", enc(got), err)
	}
	got, err = MustCompile("$.xs[?(@.n =~ /4\\.5/)].n").Get(doc)
	if err != nil || !value.Equal(got, []any{4.5}) {
		t.Errorf("=~ on float64: got %s, %v", enc(got), err)
	}
}

func TestContextPath(t *testing.T) {
	p := MustCompile("$$.Execution.Input.x")
	if !p.IsContext() || !p.Definite() || !p.IsReference() || p.IsRoot() {
		t.Fatalf("flags: context=%v definite=%v reference=%v root=%v", p.IsContext(), p.Definite(), p.IsReference(), p.IsRoot())
	}
	if got := p.Normalized(); got != "$['Execution']['Input']['x']" {
		t.Errorf("Normalized = %q", got)
	}
	if got := p.String(); got != "$$.Execution.Input.x" {
		t.Errorf("String = %q", got)
	}
	ctx := mustDecode(t, `{"Execution": {"Input": {"x": 7}}, "Map": {"Item": {"Index": 2}}}`)
	if got, err := p.Get(ctx); err != nil || !value.Equal(got, 7) {
		t.Errorf("Get = %v, %v", got, err)
	}
	root := MustCompile("$$")
	if !root.IsContext() || !root.IsRoot() {
		t.Errorf("$$: context=%v root=%v", root.IsContext(), root.IsRoot())
	}
	if got, err := root.Get(ctx); err != nil || !value.Equal(got, ctx) {
		t.Errorf("$$ Get = %v, %v", got, err)
	}
}

func TestProperties(t *testing.T) {
	tests := []struct {
		path       string
		normalized string
		definite   bool
		reference  bool
		root       bool
	}{
		{"$", "$", true, true, true},
		{"$.a", "$['a']", true, true, false},
		{"$.a.b[0]", "$['a']['b'][0]", true, true, false},
		{"$['a'][0]", "$['a'][0]", true, true, false},
		{`$["a"]['b']`, `$["a"]['b']`, true, true, false},
		{"$.a[-1]", "$['a'][-1]", true, true, false},
		{"$[0]", "$[0]", true, true, false},
		{"$.a-b.ünï", "$['a-b']['ünï']", true, true, false},
		{"$['a b']", "$['a b']", true, true, false},
		{`$['Test\""Name"']`, `$['Test\""Name"']`, true, true, false},
		{"$['a','b']", "$['a','b']", true, false, false},
		{`$["a", "b"]`, `$["a","b"]`, true, false, false},
		{"$['a','b'].c", "$['a','b']['c']", false, false, false},
		{"$.a[*]", "$['a'][*]", false, false, false},
		{"$.a.*", "$['a'][*]", false, false, false},
		{"$.*", "$[*]", false, false, false},
		{"$.a[1:]", "$['a'][1:]", false, false, false},
		{"$.a[:2]", "$['a'][:2]", false, false, false},
		{"$.a[-2:3]", "$['a'][-2:3]", false, false, false},
		{"$.a[0,2]", "$['a'][0,2]", false, false, false},
		{"$.a[0, 2]", "$['a'][0,2]", false, false, false},
		{"$..a", "$..['a']", false, false, false},
		{"$..*", "$..[*]", false, false, false},
		{"$..[0]", "$..[0]", false, false, false},
		{"$.a[?(@.b > 1)].c", "$['a'][?]['c']", false, false, false},
		{"$.a..b[?(@.c)]", "$['a']..['b'][?]", false, false, false},
	}
	for _, tc := range tests {
		p, err := Compile(tc.path)
		if err != nil {
			t.Errorf("Compile(%q): %v", tc.path, err)
			continue
		}
		if got := p.Normalized(); got != tc.normalized {
			t.Errorf("%s: Normalized = %q, want %q", tc.path, got, tc.normalized)
		}
		if p.Definite() != tc.definite || p.IsReference() != tc.reference || p.IsRoot() != tc.root {
			t.Errorf("%s: definite=%v reference=%v root=%v, want %v %v %v",
				tc.path, p.Definite(), p.IsReference(), p.IsRoot(), tc.definite, tc.reference, tc.root)
		}
		if p.String() != tc.path || p.IsContext() {
			t.Errorf("%s: String = %q, IsContext = %v", tc.path, p.String(), p.IsContext())
		}
		if p.IsReference() {
			// The normalized form of a reference path compiles to the same path.
			q, err := Compile(p.Normalized())
			if err != nil || q.Normalized() != p.Normalized() {
				t.Errorf("%s: Normalized %q does not round-trip: %v", tc.path, p.Normalized(), err)
			}
		}
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		path string
		want string // the whole message
	}{
		{"", `"": empty path at offset 0`},
		{"a.b", `"a.b": a path must start with '$' at offset 0`},
		{" $.a", `" $.a": a path must start with '$' at offset 0`},
		{"@.a", `"@.a": a path must start with '$' at offset 0`},
		{"$a b", `"$a b": unexpected ' ': expected '.' or '[' at offset 2`},
		{"$1a", `"$1a": unexpected '1': expected '.' or '[' at offset 1`},
		{"$ ", `"$ ": unexpected ' ': expected '.' or '[' at offset 1`},
		{"$.a ", `"$.a ": blank in a field name: use bracket notation, e.g. ['a ...'] at offset 3`},
		{"$.a b", `"$.a b": blank in a field name: use bracket notation, e.g. ['a ...'] at offset 3`},
		{"$.", `"$.": a path must not end with '.' at offset 1`},
		{"$.a.", `"$.a.": a path must not end with '.' at offset 3`},
		{"$..", `"$..": a path must not end with '..' at offset 1`},
		{"$...a", `"$...a": unexpected '.' at offset 3`},
		{"$.a[", `"$.a[": missing ']' at offset 3`},
		{"$.a[0", `"$.a[0": missing ']' at offset 3`},
		{"$.a['b'", `"$.a['b'": missing ']' at offset 3`},
		{"$.a['b", `"$.a['b": unterminated string at offset 4`},
		{`$.a["b']`, `"$.a[\"b']": unterminated string at offset 4`},
		{"$.a['b\\']", `"$.a['b\\']": unterminated string at offset 4`},
		{"$.a['b',]", `"$.a['b',]": unexpected ']': expected a quoted name at offset 8`},
		{"$.a['b' 'c']", `"$.a['b' 'c']": unexpected '\'': expected ']' at offset 8`},
		{`$.a['b',"c"]`, `"$.a['b',\"c\"]": mixed quotes in a list of names at offset 8`},
		{"$.a[]", `"$.a[]": empty brackets at offset 3`},
		{"$.a[x]", `"$.a[x]": unexpected 'x' after '[' at offset 4`},
		{"$.a[1.5]", `"$.a[1.5]": unexpected '.' in an array index at offset 5`},
		{"$.a[1,]", `"$.a[1,]": missing array index at offset 6`},
		{"$.a[-]", `"$.a[-]": invalid array index "-" at offset 4`},
		{"$.a[99999999999]", `"$.a[99999999999]": invalid array index "99999999999" at offset 4`},
		{"$.a[:]", `"$.a[:]": a slice needs a start or an end at offset 4`},
		{"$.a[::2]", `"$.a[::2]": slice steps are not supported by Step Functions at offset 5`},
		{"$.a[1:2:3]", `"$.a[1:2:3]": slice steps are not supported by Step Functions at offset 7`},
		{"$.a[* ", `"$.a[* ": missing ']' at offset 3`},
		{"$.a[*x]", `"$.a[*x]": unexpected 'x': expected ']' at offset 5`},
		{"$.a]", `"$.a]": unexpected ']' in a field name at offset 3`},
		{"$['a']b", `"$['a']b": unexpected 'b': expected '.' or '[' at offset 6`},
		{"$.*a", `"$.*a": unexpected 'a': expected '.' or '[' at offset 3`},
		{"$.a'b", `"$.a'b": unexpected '\'' in a field name at offset 3`},
		{"$.a.length()", `"$.a.length()": functions such as length() are not supported by Step Functions at offset 4`},
		{"$.a[?(@.b)", `"$.a[?(@.b)": missing ']' at offset 3`},
		{"$.a[?(@.b]", `"$.a[?(@.b]": unexpected ']' in filter: expected ')' at offset 9`},
		{"$.a[?(@.b", `"$.a[?(@.b": unterminated filter: missing ')' at offset 5`},
		{"$.a[?(@.b == 'x)]", `"$.a[?(@.b == 'x)]": unterminated string at offset 13`},
		{"$.a[?@.b]", `"$.a[?@.b]": unexpected '@': expected '(' after '?' at offset 5`},
		{"$.a[?(@.b = 1)]", `"$.a[?(@.b = 1)]": '=' is not a comparison: use '==' at offset 10`},
		{"$.a[?(@.b in ['x'])]", `"$.a[?(@.b in ['x'])]": the operator 'in' is not supported by Step Functions at offset 10`},
		{"$.a[?(@.b subsetof ['x'])]", `"$.a[?(@.b subsetof ['x'])]": the operator 'subsetof' is not supported by Step Functions at offset 10`},
		{"$.a[?(@.b.length() > 1)]", `"$.a[?(@.b.length() > 1)]": functions such as length() are not supported by Step Functions at offset 10`},
		{"$.a[?(@.b == [1])]", `"$.a[?(@.b == [1])]": JSON literals are not supported in filters at offset 13`},
		{"$.a[?(@.b == )]", `"$.a[?(@.b == )]": unexpected ')' in filter: expected a path, string, number, true, false, null or /regex/ at offset 13`},
		{"$.a[?(1)]", `"$.a[?(1)]": a literal alone is not a condition: compare it with something at offset 6`},
		{"$.a[?(@.b =~ 'x')]", `"$.a[?(@.b =~ 'x')]": '=~' needs a /regular expression/ on one side at offset 10`},
		{"$.a[?(@.b == /x/)]", `"$.a[?(@.b == /x/)]": a /regular expression/ can only be used with '=~' at offset 10`},
		{"$.a[?(@.b =~ /x)]", `"$.a[?(@.b =~ /x)]": unterminated regular expression at offset 13`},
		{"$.a[?(@.b =~ /(/)]", `"$.a[?(@.b =~ /(/)]": invalid regular expression: missing closing ) at offset 13`},
		{"$.a[?(@.b =~ /x/g)]", `"$.a[?(@.b =~ /x/g)]": unsupported regular expression flag 'g' at offset 16`},
		{"$.a[?(!@.b == 1)]", `"$.a[?(!@.b == 1)]": '!' before a comparison: write !(...) around it at offset 6`},
		{"$.a[?(@.b == 1 && )]", `"$.a[?(@.b == 1 && )]": unexpected ')' in filter: expected a path, string, number, true, false, null or /regex/ at offset 18`},
		{"$.a[?((@.b == 1)]", `"$.a[?((@.b == 1)]": unexpected ']' in filter: expected ')' at offset 16`},
		{"$.a[?(@.b == 1.2.3)]", `"$.a[?(@.b == 1.2.3)]": invalid number "1.2.3" at offset 13`},
		{"$.a[?(@$)]", `"$.a[?(@$)]": the context object ($$) cannot be used in a filter at offset 7`},
		{"$.a[?(@.b == 'x') junk]", `"$.a[?(@.b == 'x') junk]": unexpected 'j': expected ']' at offset 18`},
		{"$$$", `"$$$": unexpected '$': expected '.' or '[' at offset 2`},
	}
	for _, tc := range tests {
		p, err := Compile(tc.path)
		if err == nil {
			t.Errorf("Compile(%q) = %s, want an error", tc.path, p.Normalized())
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("Compile(%q):\n got %s\nwant %s", tc.path, err.Error(), tc.want)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Compile(%q): the error has more than one line", tc.path)
		}
		var se *SyntaxError
		if !errors.As(err, &se) || se.Path != tc.path {
			t.Errorf("Compile(%q): error %T is not a *SyntaxError for the path", tc.path, err)
		}
	}
}

func TestMustCompilePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustCompile of a bad path did not panic")
		}
	}()
	MustCompile("$.a[")
}

// TestNotFoundMessage pins the message Step Functions prints after
// "Invalid path '$.NoSuchInputPath' : ".
func TestNotFoundMessage(t *testing.T) {
	_, err := MustCompile("$.NoSuchInputPath").Get(map[string]any{"int-literal": 0})
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Path.String() != "$.NoSuchInputPath" {
		t.Fatalf("err = %v, want a *NotFoundError for the path", err)
	}
	if got := err.Error(); got != "No results for path: $['NoSuchInputPath']" {
		t.Errorf("message = %q", got)
	}
	// A NotFoundError built by other packages prints the same.
	if got := (&NotFoundError{Path: nf.Path}).Error(); got != "No results for path: $['NoSuchInputPath']" {
		t.Errorf("zero-value message = %q", got)
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		in, path, val string
		want          string // JSON, or the error message if err
		err           bool
	}{
		{`{"a":1}`, "$", `{"x":2}`, `{"x":2}`, false},
		{`{"a":1}`, "$.b", `2`, `{"a":1,"b":2}`, false},
		{`{"a":1}`, "$.a", `[1]`, `{"a":[1]}`, false},
		{`{"a":1}`, "$.b.c.d", `true`, `{"a":1,"b":{"c":{"d":true}}}`, false},
		{`{"a":null}`, "$.a.b", `1`, `{"a":{"b":1}}`, false},
		{`{"master":{"detail":[1,2,3]}}`, "$.master.detail", `"x"`, `{"master":{"detail":"x"}}`, false},
		{`{"a":[{"b":1},{"b":2}]}`, "$.a[1].b", `9`, `{"a":[{"b":1},{"b":9}]}`, false},
		{`{"a":[{"b":1},{"b":2}]}`, "$.a[-1].c", `9`, `{"a":[{"b":1},{"b":2,"c":9}]}`, false},
		{`{"a":[1,2]}`, "$['a'][0]", `null`, `{"a":[null,2]}`, false},
		{`[1,2]`, "$[1]", `3`, `[1,3]`, false},
		{`{"a":"s"}`, "$.a.b", `1`, `cannot set field 'b': the value at $['a'] is not an object`, true},
		{`{"a":{}}`, "$.a[0]", `1`, `cannot set index 0: the value at $['a'] is not an array`, true},
		{`{"a":[1]}`, "$.a[1]", `1`, `cannot set index 1: the array at $['a'] has 1 elements`, true},
		{`{"a":[1]}`, "$.a[*]", `1`, `"$.a[*]": a value can only be set at a reference path (fields and single indexes)`, true},
		{`{"a":1}`, "$['a','b']", `1`, `"$['a','b']": a value can only be set at a reference path (fields and single indexes)`, true},
		{`{"a":1}`, "$..a", `1`, `"$..a": a value can only be set at a reference path (fields and single indexes)`, true},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			root := mustDecode(t, tc.in)
			before := enc(root)
			got, err := MustCompile(tc.path).Set(root, mustDecode(t, tc.val))
			if enc(root) != before {
				t.Errorf("Set changed root: %s became %s", before, enc(root))
			}
			if tc.err {
				if err == nil || err.Error() != tc.want {
					t.Fatalf("Set = %s, %v; want error %q", enc(got), err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := mustDecode(t, tc.want); !value.Equal(got, want) {
				t.Errorf("Set = %s, want %s", enc(got), enc(want))
			}
		})
	}
}

// TestSetSharesUntouchedValues checks the copy-on-write contract: values off
// the path are shared, values on it are fresh.
func TestSetSharesUntouchedValues(t *testing.T) {
	side := map[string]any{"k": 1}
	list := []any{map[string]any{"x": 1}, side}
	root := map[string]any{"side": side, "list": list}
	got, err := MustCompile("$.list[0].x").Set(root, 2)
	if err != nil {
		t.Fatal(err)
	}
	out := got.(map[string]any)
	if !sameMap(out["side"].(map[string]any), side) {
		t.Error("a map off the path was copied")
	}
	newList := out["list"].([]any)
	if &newList[0] == &list[0] {
		t.Error("the slice on the path was not copied")
	}
	if !sameMap(newList[1].(map[string]any), side) {
		t.Error("an element off the path was copied")
	}
	if list[0].(map[string]any)["x"] != 1 {
		t.Error("the original element changed")
	}
}

// TestSetOwned checks that SetOwned gives what Set gives, changes only the
// top-level object it is handed, and copies everything below it.
func TestSetOwned(t *testing.T) {
	for _, tc := range []struct{ in, path, val string }{
		{`{"a":1}`, "$", `{"x":2}`},
		{`{"a":1}`, "$.b", `2`},
		{`{"a":1}`, "$.b.c.d", `true`},
		{`{"a":{"b":1,"c":2}}`, "$.a.b", `9`},
		{`{"a":[{"b":1},{"b":2}]}`, "$.a[1].b", `9`},
		{`[1,2]`, "$[1]", `3`},
		{`null`, "$.a", `1`},
		{`{"a":"s"}`, "$.a.b", `1`},
		{`{"a":[1]}`, "$.a[*]", `1`},
	} {
		t.Run(tc.in+" "+tc.path, func(t *testing.T) {
			p := MustCompile(tc.path)
			want, wantErr := p.Set(mustDecode(t, tc.in), mustDecode(t, tc.val))
			root := mustDecode(t, tc.in)
			var below any
			if m, ok := root.(map[string]any); ok {
				below = m["a"]
			}
			belowBefore := enc(below)
			rootBefore := enc(root)
			got, err := p.SetOwned(root, mustDecode(t, tc.val))
			if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
				t.Fatalf("SetOwned error %v, Set error %v", err, wantErr)
			}
			if err != nil {
				if enc(root) != rootBefore {
					t.Errorf("a failed SetOwned changed root: %s became %s", rootBefore, enc(root))
				}
				return
			}
			if !value.Equal(got, want) {
				t.Errorf("SetOwned = %s, Set = %s", enc(got), enc(want))
			}
			if enc(below) != belowBefore {
				t.Errorf("SetOwned changed a value below the root: %s became %s", belowBefore, enc(below))
			}
			if m, ok := root.(map[string]any); ok && p.IsReference() && !p.IsRoot() && !sameMap(got.(map[string]any), m) {
				t.Error("SetOwned copied the root object instead of setting it in place")
			}
		})
	}
}

func TestBelowRoot(t *testing.T) {
	for src, want := range map[string]bool{
		"$": false, "$$": false, "$..a": false, "$[?(@.a)]": false, "$..[?(@.a)]": false,
		"$.a": true, "$[0]": true, "$['a','b']": true, "$[0,1]": true, "$[1:]": true, "$.*": true,
		"$.a..b": true, "$.a[?(@.b)]": true, "$$.Execution.Input": true,
	} {
		if got := MustCompile(src).BelowRoot(); got != want {
			t.Errorf("%s: BelowRoot = %v, want %v", src, got, want)
		}
	}
	// The reason for the rule: these yield the root itself.
	root := map[string]any{"a": 1}
	for _, src := range []string{"$[?(@.a)]", "$..[?(@.a)]"} {
		got, _ := MustCompile(src).Get(root)
		if l, ok := got.([]any); !ok || len(l) == 0 || !sameMap(l[0].(map[string]any), root) {
			t.Errorf("%s: expected the root among the matches, got %s", src, enc(got))
		}
	}
}

func sameMap(a, b map[string]any) bool {
	a["__probe"] = true
	_, ok := b["__probe"]
	delete(a, "__probe")
	return ok
}

func TestGetDefiniteDoesNotAllocate(t *testing.T) {
	doc := mustDecode(t, `{"a":{"b":[{"c":"found"}]}}`)
	found := MustCompile("$.a.b[0].c")
	missing := MustCompile("$.a.b[0].nope")
	deep := MustCompile("$.a.nope.c")
	out := MustCompile("$.a.b[5].c")
	for name, p := range map[string]*Path{"found": found, "missing": missing, "deep": deep, "out of range": out} {
		allocs := testing.AllocsPerRun(1000, func() {
			_, _ = p.Get(doc)
		})
		if allocs != 0 {
			t.Errorf("%s: Get allocates %v times", name, allocs)
		}
	}
}

func BenchmarkGetDefinite(b *testing.B) {
	doc := mustDecode(b, `{"order":{"id":"o-1","lines":[{"sku":"a","qty":1},{"sku":"b","qty":2}],"customer":{"tier":"gold"}}}`)
	p := MustCompile("$.order.lines[1].qty")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Get(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetDefiniteMissing(b *testing.B) {
	doc := mustDecode(b, `{"order":{"id":"o-1"}}`)
	p := MustCompile("$.order.customer.tier")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Get(doc); err == nil {
			b.Fatal("found")
		}
	}
}

func BenchmarkGetFilter(b *testing.B) {
	doc := mustDecode(b, storeDoc)
	p := MustCompile("$.store.book[?(@.price < 10 && @.category == 'fiction')].title")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Get(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSet(b *testing.B) {
	doc := mustDecode(b, `{"order":{"id":"o-1","lines":[{"sku":"a","qty":1},{"sku":"b","qty":2}],"customer":{"tier":"gold"}}}`)
	p := MustCompile("$.order.result")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Set(doc, "ok"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile("$.order.lines[?(@.qty > 1)].sku"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestVariablePaths(t *testing.T) {
	vars := map[string]any{"order": map[string]any{"items": []any{"a", "b"}}, "n": 3.0}
	for _, tc := range []struct {
		src, variable, want string
	}{
		{"$order", "order", `{"items":["a","b"]}`},
		{"$order.items[1]", "order", `"b"`},
		{"$order['items'][0]", "order", `"a"`},
		{"$n", "n", `3`},
		{"$_x9", "_x9", ``},
		{"$prénom.a", "prénom", ``},
	} {
		p, err := Compile(tc.src)
		if err != nil {
			t.Fatalf("Compile(%q): %v", tc.src, err)
		}
		if p.Variable() != tc.variable || p.IsRoot() || p.IsContext() || !p.BelowRoot() {
			t.Errorf("%q: Variable=%q IsRoot=%v IsContext=%v BelowRoot=%v", tc.src, p.Variable(), p.IsRoot(), p.IsContext(), p.BelowRoot())
		}
		if tc.want == "" {
			continue
		}
		v, err := p.Get(vars[tc.variable])
		if err != nil || value.MustEncodeString(v) != tc.want {
			t.Errorf("%q: Get = %v, %v; want %s", tc.src, v, err, tc.want)
		}
	}
	if p := MustCompile("$"); p.Variable() != "" || !p.IsRoot() {
		t.Errorf("$ is the input's root")
	}
	if p := MustCompile("$$.Execution"); p.Variable() != "" || !p.IsContext() {
		t.Errorf("$$ is the context object")
	}
}
