#ifndef HMS_CCURL_SHIM_H
#define HMS_CCURL_SHIM_H

// Swift cannot call C variadic functions: one typed, non-variadic wrapper per argument kind of
// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt. No logic lives here.

#include <curl/curl.h>

static inline CURLcode hms_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hms_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hms_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hms_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hms_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hms_easy_setopt_blob(CURL *handle, CURLoption option, struct curl_blob *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Write and header callbacks share this signature.
typedef size_t (*hms_data_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode hms_easy_setopt_data_callback(CURL *handle, CURLoption option, hms_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode hms_easy_setopt_sockopt_callback(CURL *handle, curl_sockopt_callback value) {
    return curl_easy_setopt(handle, CURLOPT_SOCKOPTFUNCTION, value);
}

static inline CURLcode hms_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode hms_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode hms_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode hms_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode hms_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

// Macros Swift does not import (they are casts or combine other macros).
static inline size_t hms_writefunc_pause(void) { return CURL_WRITEFUNC_PAUSE; }
static inline int hms_pause_continue(void) { return CURLPAUSE_CONT; }
static inline long hms_global_default(void) { return CURL_GLOBAL_DEFAULT; }
static inline int hms_error_size(void) { return CURL_ERROR_SIZE; }

#endif
