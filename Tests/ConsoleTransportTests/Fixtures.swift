/// Throwaway certificates for the tests, made once with
/// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj /CN=console-test-a`
/// (and -b). Test material only: these keys protect nothing.
enum Fixtures {
    static let certificateA = """
    -----BEGIN CERTIFICATE-----
    MIIBiDCCAS+gAwIBAgIUQfAAWEcS2Fqr6OVqMOQJjIAeysMwCgYIKoZIzj0EAwIw
    GTEXMBUGA1UEAwwOY29uc29sZS10ZXN0LWEwIBcNMjYxMjA3MTEwNDQ5WhgPMjEy
    NjExMTMxMTA0NDlaMBkxFzAVBgNVBAMMDmNvbnNvbGUtdGVzdC1hMFkwEwYHKoZI
    zj0CAQYIKoZIzj0DAQcDQgAEhUJLN11fk3+cOGzzvpOe655tNePnrxOWDqx67C0j
    WHveFerNvWJPd/oH3KoBeU/JKmeRzF8FXk/PSN/GHuhdC6NTMFEwHQYDVR0OBBYE
    FKEKcTjqGUK8Ta/ACzVMkkl/DP1kMB8GA1UdIwQYMBaAFKEKcTjqGUK8Ta/ACzVM
    kkl/DP1kMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgctiX+7bM
    UZdp5Fq6/36rs6j8JZd4dQaM+h6gyFTJStcCIEZOwK5kfh2cF5Uzrclelb8CBjiu
    EKhRV1L00VzWY7sw
    -----END CERTIFICATE-----
    """
    static let keyA = """
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgfbnM3uxdfhBkSfUE
    7B/3uS8+7CqEP2oV736ViCgHMnuhRANCAASFQks3XV+Tf5w4bPO+k57rnm014+ev
    E5YOrHrsLSNYe94V6s29Yk93+gfcqgF5T8kqZ5HMXwVeT89I38Ye6F0L
    -----END PRIVATE KEY-----
    """
    static let certificateB = """
    -----BEGIN CERTIFICATE-----
    MIIBiDCCAS+gAwIBAgIUJu1bpcF5Scjufjur2os9OWgYwlEwCgYIKoZIzj0EAwIw
    GTEXMBUGA1UEAwwOY29uc29sZS10ZXN0LWIwIBcNMjYxMjA3MTEwNDQ5WhgPMjEy
    NjExMTMxMTA0NDlaMBkxFzAVBgNVBAMMDmNvbnNvbGUtdGVzdC1iMFkwEwYHKoZI
    zj0CAQYIKoZIzj0DAQcDQgAEgjtIIq1gshP1YWKyk5BHZGvcP7RaxI8SChCeBIwD
    wKV/zl1zf8182iyTVbYmLA7Ru4oraT8+OAFn/bGsmnZnb6NTMFEwHQYDVR0OBBYE
    FNkU1J6cDfqfTDn3F43FMRaUWRV9MB8GA1UdIwQYMBaAFNkU1J6cDfqfTDn3F43F
    MRaUWRV9MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgUjKn+xah
    lUqbzaoU62+xv9B+gtioF8ES5ZzFAlyAaOICIH2Gj3YSHV4dxGq/qH4k06x0eoty
    dGi8YERL/pO8yZ2U
    -----END CERTIFICATE-----
    """
    static let keyB = """
    -----BEGIN PRIVATE KEY-----
    MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgssALJ5LAU316pog8
    C1IxdMIzmMwV1EfvBYf2lKki5iyhRANCAASCO0girWCyE/VhYrKTkEdka9w/tFrE
    jxIKEJ4EjAPApX/OXXN/zXzaLJNVtiYsDtG7iitpPz44AWf9sayadmdv
    -----END PRIVATE KEY-----
    """
}
