package blob

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/awsenv"
)

// S3 stores objects in a bucket under an optional key prefix.
type S3 struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
	prefix  string // "" or ends with "/"
}

// S3Options tune OpenS3.
type S3Options struct {
	// PathStyle is "true", "false" or "" for automatic: path-style
	// addressing when a custom endpoint is configured (MinIO, versitygw and
	// LocalStack expect it), virtual-hosted style on AWS.
	PathStyle string
}

// OpenS3 returns a store for bucket/prefix with credentials and region from
// the environment (awsenv: the Lambda role's, or exported ones). The
// endpoint honours AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL.
func OpenS3(ctx context.Context, bucket, prefix string, opt S3Options) (*S3, error) {
	endpoint := awsenv.Endpoint("S3")
	pathStyle := opt.PathStyle == "true" || (opt.PathStyle == "" && endpoint != "")
	client := s3.NewFromConfig(awsenv.Config(), func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = &endpoint
		}
		o.UsePathStyle = pathStyle
		// Only ask for checksums where S3 requires them: S3-compatible
		// servers differ in their support of the newer defaults.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return NewS3(client, bucket, prefix), nil
}

// NewS3 wraps an existing client.
func NewS3(client *s3.Client, bucket, prefix string) *S3 {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return &S3{client: client, presign: s3.NewPresignClient(client), bucket: bucket, prefix: prefix}
}

func (s *S3) key(key string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	return s.prefix + key, nil
}

func (s *S3) Put(ctx context.Context, key string, body []byte, contentType string) error {
	k, err := s.key(key)
	if err != nil {
		return err
	}
	in := &s3.PutObjectInput{Bucket: &s.bucket, Key: &k, Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))}
	if contentType != "" {
		in.ContentType = &contentType
	}
	_, err = s.client.PutObject(ctx, in)
	return s3Error(err, key)
}

func (s *S3) Get(ctx context.Context, key string) ([]byte, error) {
	k, err := s.key(key)
	if err != nil {
		return nil, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &k})
	if err != nil {
		return nil, s3Error(err, key)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, aiops.Unavailable("object storage", err)
	}
	return b, nil
}

func (s *S3) Delete(ctx context.Context, key string) error {
	k, err := s.key(key)
	if err != nil {
		return err
	}
	_, err = s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &k})
	if err = s3Error(err, key); isNotFound(err) {
		return nil
	}
	return err
}

func (s *S3) List(ctx context.Context, prefix string) ([]string, error) {
	full := s.prefix + prefix
	keys := []string{}
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &full})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, s3Error(err, prefix)
		}
		for _, o := range page.Contents {
			keys = append(keys, strings.TrimPrefix(aws.ToString(o.Key), s.prefix))
		}
	}
	return keys, nil
}

// URL presigns a GET. It does not check that the object exists: presigning
// is local computation, and a missing object answers 404 when fetched.
func (s *S3) URL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	k, err := s.key(key)
	if err != nil {
		return "", err
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &k}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", s3Error(err, key)
	}
	return req.URL, nil
}

func (s *S3) Ping(ctx context.Context) error {
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket})
	if err = s3Error(err, ""); isNotFound(err) {
		return aiops.Unavailable("object storage", errors.New("bucket "+s.bucket+" does not exist"))
	}
	return err
}

// s3Error maps SDK errors: a missing key is ENOTFOUND, everything else that
// is not our own validation error means the store is unavailable.
func s3Error(err error, key string) error {
	if err == nil {
		return nil
	}
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return notFound(key)
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound {
		return notFound(key)
	}
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "NoSuchBucket" {
		return aiops.Unavailable("object storage", err)
	}
	var ae *aiops.Error
	if errors.As(err, &ae) {
		return err
	}
	return aiops.Unavailable("object storage", err)
}
