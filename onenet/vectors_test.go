package onenet

// tokenVector is one test vector of onenet.md §2.7, copied verbatim.
type tokenVector struct {
	name    string
	key     string // base64 access key
	res     string
	et      int64
	method  string
	version string
	sign    string // base64, not percent-encoded
	token   string
	length  int    // len(token), from §2.7
	etUTC   string // et as a date, from §2.7
}

// The §2.7 vectors. A is the official OneNET doc example; B1–B7 are
// LuatOS's fixed baseline vectors; C is third-party code for an ML307 modem.
func tokenVectors() []tokenVector {
	const (
		keyA   = "EnW4T71eIE55xOIQMN6pFMKuqel5T5HTzsGJRPiDhlM="
		keyB   = "KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw="
		keyOld = "adfasdfadsfadsf="
		keyC   = "kxc3VSPtJXnf66FlG21Hh9kTL1dXU9F1FSPJ4yHPSxE="
		resB   = "products/Ck2AF9QD2K/devices/test"
		etB    = 32472115200
		dateB  = "2998-12-31 16:00:00"
	)
	return []tokenVector{
		{"A", keyA, "products/238322/devices/mqtts-test-device", 7557387130, "sha1", "2018-10-31",
			"Rs0u/KnyoK5/MuKo5xKa0tW+WqY=",
			"version=2018-10-31&res=products%2F238322%2Fdevices%2Fmqtts-test-device&et=7557387130&method=sha1&sign=Rs0u%2FKnyoK5%2FMuKo5xKa0tW%2BWqY%3D",
			138, "2209-06-26 18:12:10"},
		{"B1", keyB, resB, etB, "md5", "2018-10-31", "htDD26UhXtXayMFAWRmNiA==",
			"version=2018-10-31&res=products%2FCk2AF9QD2K%2Fdevices%2Ftest&et=32472115200&method=md5&sign=htDD26UhXtXayMFAWRmNiA%3D%3D",
			121, dateB},
		{"B2", keyB, resB, etB, "sha1", "2018-10-31", "onzQlILHFFNqIY+dOXYM3lthLT8=",
			"version=2018-10-31&res=products%2FCk2AF9QD2K%2Fdevices%2Ftest&et=32472115200&method=sha1&sign=onzQlILHFFNqIY%2BdOXYM3lthLT8%3D",
			126, dateB},
		{"B3", keyB, resB, etB, "sha256", "2018-10-31", "6Y4zbk3Sa89tRf9lMxCCE0jG74uEcEuu/nly1pU9ADM=",
			"version=2018-10-31&res=products%2FCk2AF9QD2K%2Fdevices%2Ftest&et=32472115200&method=sha256&sign=6Y4zbk3Sa89tRf9lMxCCE0jG74uEcEuu%2Fnly1pU9ADM%3D",
			144, dateB},
		{"B4", keyB, resB, etB, "MD5", "2018-10-31", "y215sMm9evP3NThz5QRsiA==",
			"version=2018-10-31&res=products%2FCk2AF9QD2K%2Fdevices%2Ftest&et=32472115200&method=MD5&sign=y215sMm9evP3NThz5QRsiA%3D%3D",
			121, dateB},
		{"B5", keyOld, "products/12342334/devices/test", etB, "md5", "2018-10-31", "wZWDnoyHugla0wMlcl75xg==",
			"version=2018-10-31&res=products%2F12342334%2Fdevices%2Ftest&et=32472115200&method=md5&sign=wZWDnoyHugla0wMlcl75xg%3D%3D",
			119, dateB},
		{"B6", keyOld, "products/12342334/devices/test", etB, "sha1", "2018-10-31", "FHt8BqSNGv0VEJKbHN4zod6a69Q=",
			"version=2018-10-31&res=products%2F12342334%2Fdevices%2Ftest&et=32472115200&method=sha1&sign=FHt8BqSNGv0VEJKbHN4zod6a69Q%3D",
			122, dateB},
		{"B7", keyB, resB, etB, "sha256", "2022-05-01", "N41Pmx3YpLyOoc9jtyCFPJX1etO8MxfcCr7xHYw40ws=",
			"version=2022-05-01&res=products%2FCk2AF9QD2K%2Fdevices%2Ftest&et=32472115200&method=sha256&sign=N41Pmx3YpLyOoc9jtyCFPJX1etO8MxfcCr7xHYw40ws%3D",
			142, dateB},
		{"C", keyC, "products/c4bPG3v7Ii/devices/75440271", 1959846627, "md5", "2018-10-31", "HhSJmJUChxGbjnQaGiRbCQ==",
			"version=2018-10-31&res=products%2Fc4bPG3v7Ii%2Fdevices%2F75440271&et=1959846627&method=md5&sign=HhSJmJUChxGbjnQaGiRbCQ%3D%3D",
			124, "2032-02-08 09:50:27"},
	}
}

// seedToken is the password of the seed CONNECT (onenet.md §6.2); it starts
// at offset 34 of that packet.
const (
	seedToken     = "version=2018-10-31&res=products%2FVRqhDHF2wL%2Fdevices%2Fmy_tv&et=1661245031&method=md5&sign=y4iDPu6Yp84FO7sxpcdcSQ%3D%3D"
	seedPacketOff = 34
)

// placeholderSign is the doc's placeholder sign (onenet.md §2.4): 36
// characters, 26 bytes, matching no method.
const placeholderSign = "ZjA1NzZlMmMxYzIOTg3MjBzNjYTI2MjA4Yw="
