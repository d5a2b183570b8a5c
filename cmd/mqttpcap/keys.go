package main

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/mqttpcap/mqttpcap/onenet"
)

// keyOptions are the ways to give OneNET access keys. Keys are secrets:
// they are never printed, not even in error messages.
type keyOptions struct {
	key     string // --key
	keyFile string // --key-file
}

const keyEnv = "MQTTPCAP_ONENET_KEY"

func (k *keyOptions) addFlags(f interface {
	StringVar(p *string, name, value, usage string)
}) {
	f.StringVar(&k.key, "key", "", "OneNET access key (base64; device or product key) to verify token signatures; also $"+keyEnv)
	f.StringVar(&k.keyFile, "key-file", "", `file of keys, one per line: "PRODUCT_ID/DEVICE KEY" or "PRODUCT_ID KEY" (# comments)`)
}

// keyFunc builds the key lookup, or nil when no key was given.
func (k *keyOptions) keyFunc(ios *ioStreams) (onenet.KeyFunc, error) {
	key := k.key
	if key == "" {
		key = ios.getenv(keyEnv)
	}
	var byName map[string]string
	if k.keyFile != "" {
		var err error
		if byName, err = readKeyFile(k.keyFile); err != nil {
			return nil, withCode(exitInput, fmt.Errorf("--key-file: %w", err))
		}
	}
	if key != "" {
		if err := checkKey(key); err != nil {
			return nil, usageErr(fmt.Errorf("--key: %w", err))
		}
	}
	if key == "" && byName == nil {
		return nil, nil
	}
	return func(product, device string) (string, bool) {
		if k, ok := byName[product+"/"+device]; ok && device != "" {
			return k, true
		}
		if k, ok := byName[product]; ok && device == "" {
			return k, true
		}
		return key, key != ""
	}, nil
}

// secrets are the keys given, for --redact to scrub from every message
// (nil without a key; unreadable files give none: keyFunc reports them).
func (k *keyOptions) secrets(ios *ioStreams) []string {
	var out []string
	key := k.key
	if key == "" {
		key = ios.getenv(keyEnv)
	}
	if key != "" {
		out = append(out, key)
	}
	if k.keyFile != "" {
		byName, _ := readKeyFile(k.keyFile)
		for _, v := range byName {
			out = append(out, v)
		}
	}
	return out
}

// checkKey says what is wrong with a key without showing it.
func checkKey(key string) error {
	if _, err := base64.StdEncoding.DecodeString(key); err != nil {
		return fmt.Errorf("the key is not base64 (%d characters; a OneNET access key is base64, usually 44 characters)", len(key))
	}
	return nil
}

func readKeyFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", path)
		}
		return nil, err
	}
	defer f.Close()
	keys := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("%s:%d: want \"PRODUCT_ID[/DEVICE] KEY\"", path, n)
		}
		if err := checkKey(fields[1]); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		keys[fields[0]] = fields[1]
	}
	return keys, sc.Err()
}
