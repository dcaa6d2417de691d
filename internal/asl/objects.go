package asl

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// ObjectStore is where a Distributed Map reads its items (ItemReader) and
// writes its results (ResultWriter): Amazon S3, or a stand-in for it.
type ObjectStore interface {
	// GetObject returns an object's body. A missing object is an
	// ErrNoSuchKey (wrapped or not).
	GetObject(ctx context.Context, bucket, key string) ([]byte, error)
	// ListObjects lists the objects under prefix, by key.
	ListObjects(ctx context.Context, bucket, prefix string) ([]ObjectInfo, error)
	// PutObject stores an object.
	PutObject(ctx context.Context, bucket, key string, body []byte) error
}

// ObjectInfo is one object of a listing, with what ListObjectsV2 says of
// it.
type ObjectInfo struct {
	Key          string
	Size         int64
	ETag         string
	LastModified time.Time
}

// ErrNoSuchKey is the error of GetObject for an object that does not exist.
var ErrNoSuchKey = errors.New("The specified key does not exist.")

// MaxObjectBytes is the largest object DirStore reads: a local stand-in for
// S3 need not read more, and a mistaken path to a huge file fails fast.
const MaxObjectBytes = 1 << 30

// DirStore is an ObjectStore on a local directory: s3://BUCKET/KEY is the
// file DIR/BUCKET/KEY, so a Distributed Map's items and results can live
// on this machine.
type DirStore struct {
	Dir string
}

var _ ObjectStore = DirStore{}

// path is the file of bucket/key, refused when it would leave the bucket's
// directory.
func (d DirStore) path(bucket, key string) (string, error) {
	if bucket == "" || strings.ContainsAny(bucket, `/\`) || bucket == "." || bucket == ".." {
		return "", fmt.Errorf("%q is not a bucket name", bucket)
	}
	clean := filepath.Clean("/" + filepath.FromSlash(key))
	if key == "" || strings.HasSuffix(key, "/") {
		return "", fmt.Errorf("%q is not an object key", key)
	}
	return filepath.Join(d.Dir, bucket, clean), nil
}

// GetObject reads DIR/BUCKET/KEY.
func (d DirStore) GetObject(_ context.Context, bucket, key string) ([]byte, error) {
	p, err := d.path(bucket, key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (s3://%s/%s, looked for %s)", ErrNoSuchKey, bucket, key, p)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, MaxObjectBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxObjectBytes {
		return nil, fmt.Errorf("%s is larger than the %d bytes yafdp reads from one object", p, MaxObjectBytes)
	}
	return body, nil
}

// ListObjects walks DIR/BUCKET for the files whose keys start with prefix.
func (d DirStore) ListObjects(_ context.Context, bucket, prefix string) ([]ObjectInfo, error) {
	if bucket == "" || strings.ContainsAny(bucket, `/\`) || bucket == "." || bucket == ".." {
		return nil, fmt.Errorf("%q is not a bucket name", bucket)
	}
	root := filepath.Join(d.Dir, bucket)
	if _, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("The specified bucket does not exist. (s3://%s, looked for %s)", bucket, root)
	}
	var out []ObjectInfo
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		out = append(out, ObjectInfo{Key: key, Size: info.Size(), LastModified: info.ModTime().UTC(), ETag: etag(p, info)})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, err
}

// etag is an S3-style ETag for a local file: the MD5 of its body for a
// file small enough to hash on the way, otherwise one of its name, size
// and time, quoted as S3 quotes it.
func etag(p string, info fs.FileInfo) string {
	h := md5.New()
	if info.Size() <= 64<<20 {
		if f, err := os.Open(p); err == nil {
			_, _ = io.Copy(h, f)
			f.Close()
			return `"` + hex.EncodeToString(h.Sum(nil)) + `"`
		}
	}
	fmt.Fprintf(h, "%s|%d|%d", p, info.Size(), info.ModTime().UnixNano())
	return `"` + hex.EncodeToString(h.Sum(nil)) + `"`
}

// PutObject writes DIR/BUCKET/KEY, creating its directories.
func (d DirStore) PutObject(_ context.Context, bucket, key string, body []byte) error {
	p, err := d.path(bucket, key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, body, 0o644)
}
