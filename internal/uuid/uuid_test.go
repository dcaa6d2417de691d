package uuid

import (
	"regexp"
	"testing"
)

var canonical = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestV4SetsVersionAndVariant(t *testing.T) {
	for _, b := range [][16]byte{{}, {0: 0xff, 6: 0xff, 8: 0xff, 15: 0xff}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}} {
		if got := V4(b); !canonical.MatchString(got) {
			t.Errorf("V4(%x) = %s, not a canonical version 4 UUID", b, got)
		}
	}
	if got, want := V4([16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}), "01020304-0506-4708-890a-0b0c0d0e0f10"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
