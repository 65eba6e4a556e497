// Command echo is the local runtime's test function: a real aws-lambda-go
// bootstrap whose behaviour each event picks (echo its context back, fail,
// panic, crash, sleep past its timeout, answer too much, log), and which
// answers API Gateway events like an HTTP API backend would.
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type command struct {
	Action  string `json:"action"`
	Message string `json:"message"`
	Ms      int    `json:"ms"`
	Bytes   int    `json:"bytes"`
	MB      int    `json:"mb"`
}

func main() {
	switch os.Getenv("INIT_MODE") {
	case "exit":
		fmt.Println("init: giving up")
		os.Exit(3)
	case "initerror":
		postInitError()
		os.Exit(1)
	}
	lambda.Start(handle)
}

// postInitError reports a failed init as a custom runtime does.
func postInitError() {
	url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
	req, _ := http.NewRequest("POST", url, strings.NewReader(`{"errorMessage":"config: DATABASE_URL is not set","errorType":"ConfigError","stackTrace":[]}`))
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ConfigError")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "posting init error:", err)
		return
	}
	resp.Body.Close()
	fmt.Fprintln(os.Stderr, "init error posted:", resp.StatusCode)
}

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	if os.Getenv("LOG_EVENTS") == "1" {
		fmt.Printf("event: %s\n", raw)
	}
	var probe struct {
		RouteKey string `json:"routeKey"`
	}
	if json.Unmarshal(raw, &probe) == nil && probe.RouteKey != "" {
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		return handleHTTP(ev, raw)
	}
	var c command
	_ = json.Unmarshal(raw, &c)
	switch c.Action {
	case "echo":
		return describe(ctx, raw), nil
	case "error":
		return nil, errors.New(c.Message)
	case "panic":
		panic(c.Message)
	case "crash":
		fmt.Println("about to crash")
		os.Exit(2)
	case "sleep":
		time.Sleep(time.Duration(c.Ms) * time.Millisecond)
		return map[string]int{"pid": os.Getpid()}, nil
	case "big":
		return strings.Repeat("x", c.Bytes), nil
	case "alloc":
		b := make([]byte, c.MB<<20)
		for i := 0; i < len(b); i += 4096 { // touch every page: resident now
			b[i] = 1
		}
		return len(b), nil
	case "spawn":
		// A child process, as a function that shells out would leave.
		cmd := exec.Command("sleep", "60")
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		return map[string]int{"pid": cmd.Process.Pid}, nil
	case "log":
		fmt.Println("hello stdout")
		fmt.Fprintln(os.Stderr, "hello stderr")
		return "logged", nil
	}
	return raw, nil
}

// describe tells the caller what the function saw of its environment.
func describe(ctx context.Context, raw json.RawMessage) map[string]any {
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	cwd, _ := os.Getwd()
	return map[string]any{
		"event":        raw,
		"requestId":    lc.AwsRequestID,
		"functionArn":  lc.InvokedFunctionArn,
		"deadlineMs":   deadline.UnixMilli(),
		"traceId":      ctx.Value("x-amzn-trace-id"),
		"functionName": lambdacontext.FunctionName,
		"version":      lambdacontext.FunctionVersion,
		"memoryMB":     lambdacontext.MemoryLimitInMB,
		"logGroup":     lambdacontext.LogGroupName,
		"logStream":    lambdacontext.LogStreamName,
		"env":          env,
		"pid":          os.Getpid(),
		"cwd":          cwd,
		"clientCustom": lc.ClientContext.Custom,
		"identityId":   lc.Identity.CognitoIdentityID,
	}
}

// handleHTTP answers API Gateway events by path.
func handleHTTP(ev events.APIGatewayV2HTTPRequest, raw json.RawMessage) (any, error) {
	switch {
	case ev.RawPath == "/api/v1/raw":
		return []string{"not", "an", "object"}, nil
	case ev.RawPath == "/api/v1/sleepy":
		time.Sleep(5 * time.Second) // past ShortFunction's timeout
		return nil, nil
	case ev.RawPath == "/api/v1/fail":
		return nil, errors.New("handler failed")
	case ev.RawPath == "/api/v1/cookies":
		return events.APIGatewayV2HTTPResponse{StatusCode: 201, Cookies: []string{"a=1; Path=/", "b=2"}, Body: "set"}, nil
	case strings.HasPrefix(ev.RawPath, "/webhooks/binary"):
		// Return the request body as it came in: binary round trip.
		body := ev.Body
		if !ev.IsBase64Encoded {
			body = base64.StdEncoding.EncodeToString([]byte(ev.Body))
		}
		return events.APIGatewayV2HTTPResponse{
			StatusCode:      200,
			Headers:         map[string]string{"Content-Type": "application/octet-stream"},
			Body:            body,
			IsBase64Encoded: true,
		}, nil
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json", "X-Route": ev.RouteKey},
		Body:       string(raw),
	}, nil
}
