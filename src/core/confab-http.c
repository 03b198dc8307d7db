/* confab-http.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "confab-error.h"
#include "confab-http.h"
#include "confab-keyring.h"
#include "confab-tls-database.h"

#define USER_AGENT "Confab/" PACKAGE_VERSION

/* Headers that carry a credential in one protocol or another. */
static const char * const secret_headers[] = {
  "authorization", "proxy-authorization", "api-key", "x-api-key", "x-goog-api-key", NULL
};

static gboolean
is_secret_header_line (const char *line)
{
  for (guint i = 0; secret_headers[i] != NULL; i++)
    {
      gsize len = strlen (secret_headers[i]);
      if (g_ascii_strncasecmp (line, secret_headers[i], len) == 0 && line[len] == ':')
        return TRUE;
    }
  return FALSE;
}

/* SoupLogger prints Bearer and api-key headers verbatim (only Basic auth
 * is masked), so every line goes through here and credentials never reach
 * the log. Bodies are not logged at all: they are the conversation. */
static void
redacting_printer (SoupLogger         *logger,
                   SoupLoggerLogLevel  level,
                   char                direction,
                   const char         *data,
                   gpointer            user_data)
{
  if (is_secret_header_line (data))
    {
      const char *colon = strchr (data, ':');
      g_debug ("%c %.*s: [redacted]", direction, (int)(colon - data), data);
      return;
    }
  g_debug ("%c %s", direction, data);
}

static gboolean
http_debug_enabled (void)
{
  const char *debug = g_getenv ("G_MESSAGES_DEBUG");

  if (g_getenv ("CONFAB_DEBUG_HTTP") != NULL)
    return TRUE;
  return debug != NULL && (strstr (debug, "all") != NULL || strstr (debug, "Confab") != NULL);
}

static GProxyResolver *
make_proxy_resolver (ConfabAccount  *account,
                     const char     *proxy_password,
                     GError        **error)
{
  const char *proxy = confab_account_get_proxy (account);
  g_autoptr(GUri) uri = NULL;
  g_autofree char *with_password = NULL;
  const char *scheme;

  if (proxy == NULL || g_str_equal (proxy, "system"))
    return NULL;
  if (g_str_equal (proxy, "none"))
    return g_simple_proxy_resolver_new ("direct://", NULL);

  uri = g_uri_parse (proxy, G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (scheme == NULL || g_uri_get_host (uri) == NULL ||
      !(g_str_equal (scheme, "http") || g_str_equal (scheme, "https") ||
        g_str_equal (scheme, "socks5") || g_str_equal (scheme, "socks")))
    {
      g_set_error (error, CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST,
                   _("The proxy “%s” is not an http://, https:// or socks5:// address"), proxy);
      return NULL;
    }

  /* The password lives in the keyring and joins the URL only in memory. */
  if (proxy_password != NULL && g_uri_get_user (uri) != NULL)
    {
      g_autoptr(GUri) full = g_uri_build_with_user (G_URI_FLAGS_NONE, scheme,
                                                    g_uri_get_user (uri), proxy_password,
                                                    NULL, g_uri_get_host (uri),
                                                    g_uri_get_port (uri), "", NULL, NULL);
      with_password = g_uri_to_string (full);
    }

  return g_simple_proxy_resolver_new (with_password ? with_password : proxy, NULL);
}

/* "Basic …" for an http(s):// proxy with a user name and a password,
 * else NULL. */
static char *
make_proxy_basic (ConfabAccount *account,
                  const char    *proxy_password)
{
  const char *proxy = confab_account_get_proxy (account);
  g_autoptr(GUri) uri = NULL;
  g_autofree char *pair = NULL;
  g_autofree char *encoded = NULL;

  if (proxy == NULL || proxy_password == NULL)
    return NULL;
  uri = g_uri_parse (proxy, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_user (uri) == NULL ||
      !(g_str_equal (g_uri_get_scheme (uri), "http") || g_str_equal (g_uri_get_scheme (uri), "https")))
    return NULL;
  pair = g_strdup_printf ("%s:%s", g_uri_get_user (uri), proxy_password);
  encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  memset (pair, 0, strlen (pair));
  return g_strconcat ("Basic ", encoded, NULL);
}

/* libsoup 3.2 answers an HTTP proxy's 407 to a request in the clear by
 * sending the request again to the proxy's own address ("POST
 * http://proxy/"), which then never ends. So such requests carry the
 * proxy's credentials from the start and never meet a 407 unless they are
 * wrong. Only requests in the clear: an https request travels inside a
 * CONNECT tunnel, where the header would reach the provider; the tunnel's
 * CONNECT gets the credentials from the proxy's address. */
static void
on_request_queued (SoupSession *session,
                   SoupMessage *message,
                   gpointer     user_data)
{
  const char *basic = user_data;
  GUri *uri = soup_message_get_uri (message);

  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0)
    soup_message_headers_replace (soup_message_get_request_headers (message),
                                  "Proxy-Authorization", basic);
}

SoupSession *
confab_http_session_new (ConfabAccount  *account,
                         const char     *proxy_password,
                         GError        **error)
{
  g_autoptr(GProxyResolver) resolver = NULL;
  g_autoptr(GTlsDatabase) tls_database = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *ca_file;
  SoupSession *session;

  g_return_val_if_fail (CONFAB_IS_ACCOUNT (account), NULL);

  resolver = make_proxy_resolver (account, proxy_password, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* The system's CAs plus the account's own (a TLS-inspecting proxy). */
  ca_file = confab_account_get_ca_file (account);
  if (ca_file != NULL && (tls_database = confab_tls_database_new (ca_file, error)) == NULL)
    return NULL;

  /* Our own connect, first-byte and stall timers replace libsoup's
   * single I/O timeout, which defaults to none at all. */
  session = soup_session_new_with_options ("user-agent", USER_AGENT,
                                           "timeout", 0,
                                           "idle-timeout", 60,
                                           NULL);
  if (resolver != NULL)
    {
      char *basic = make_proxy_basic (account, proxy_password);

      soup_session_set_proxy_resolver (session, resolver);
      if (basic != NULL)
        g_signal_connect_data (session, "request-queued", G_CALLBACK (on_request_queued),
                               basic, (GClosureNotify) (void (*) (void)) g_free, 0);
    }
  if (tls_database != NULL)
    soup_session_set_tls_database (session, tls_database);

  if (http_debug_enabled ())
    {
      g_autoptr(SoupLogger) logger = soup_logger_new (SOUP_LOGGER_LOG_HEADERS);
      soup_logger_set_printer (logger, redacting_printer, NULL, NULL);
      soup_session_add_feature (session, SOUP_SESSION_FEATURE (logger));
    }

  return session;
}

/* retry-after-ms, then retry-after in seconds or as an HTTP date; -1 when
 * the server said nothing usable. */
gint64
confab_http_retry_after_ms (SoupMessageHeaders *headers)
{
  const char *value;

  if (headers == NULL)
    return -1;

  value = soup_message_headers_get_one (headers, "retry-after-ms");
  if (value != NULL)
    {
      char *end = NULL;
      double ms = g_ascii_strtod (value, &end);
      /* Capped before the conversion, which is undefined out of range
       * ("retry-after-ms: 1e300"); a day means "not worth waiting for". */
      if (end != value && ms >= 0)
        return (gint64)MIN (ms, 86400000.0);
    }

  value = soup_message_headers_get_one (headers, "retry-after");
  if (value != NULL)
    {
      char *end = NULL;
      double seconds = g_ascii_strtod (value, &end);
      g_autoptr(GDateTime) date = NULL;

      if (end != value && seconds >= 0 && (*end == '\0' || g_ascii_isspace (*end)))
        return (gint64)(MIN (seconds, 86400.0) * 1000);

      date = soup_date_time_new_from_http_string (value);
      if (date != NULL)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
          return MAX (0, g_date_time_difference (date, now) / 1000);
        }
    }

  return -1;
}

gboolean
confab_http_status_is_retryable (guint status)
{
  return status == 408 || status == 409 || status == 429 || status >= 500;
}

static char *
describe_host (SoupMessage *message)
{
  GUri *uri = message ? soup_message_get_uri (message) : NULL;

  if (uri == NULL)
    return g_strdup (_("the provider"));
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  return g_strdup (g_uri_get_host (uri));
}

/* Connection-level failures, worded for the user, naming the proxy when
 * one is in the way since a dead proxy is the likelier culprit. */
GError *
confab_http_transport_error (const GError  *error,
                             SoupMessage   *message,
                             ConfabAccount *account)
{
  g_autofree char *host = describe_host (message);
  const char *proxy = account ? confab_account_get_proxy (account) : NULL;
  gboolean via_proxy = proxy != NULL && !g_str_equal (proxy, "none") &&
                       !g_str_equal (proxy, "system");

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_new_literal (CONFAB_ERROR, CONFAB_ERROR_CANCELLED, _("Cancelled"));

  if (error->domain == G_TLS_ERROR ||
      (message != NULL && soup_message_get_tls_peer_certificate_errors (message) != 0))
    return g_error_new (CONFAB_ERROR, CONFAB_ERROR_TLS,
                        _("The secure connection to %s failed: %s"), host, error->message);

  if (via_proxy)
    {
      g_autoptr(GUri) uri = g_uri_parse (proxy, G_URI_FLAGS_NONE, NULL);
      g_autofree char *shown = uri ? g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD)
                                   : g_strdup (proxy);
      return g_error_new (CONFAB_ERROR, CONFAB_ERROR_NETWORK,
                          _("Could not reach %s through the proxy %s: %s"),
                          host, shown, error->message);
    }

  return g_error_new (CONFAB_ERROR, CONFAB_ERROR_NETWORK,
                      _("Could not reach %s: %s"), host, error->message);
}

/* Providers sometimes quote the key back (DeepSeek: "Your api key: …").
 * Whatever they say, the key never reaches an error message. */
char *
confab_http_redact (const char *text,
                    const char *secret)
{
  GString *out;
  const char *p;
  gsize secret_len;

  if (text == NULL)
    return NULL;
  if (secret == NULL || (secret_len = strlen (secret)) < 4)
    return g_strdup (text);

  out = g_string_new (NULL);
  while ((p = strstr (text, secret)) != NULL)
    {
      g_string_append_len (out, text, p - text);
      g_string_append (out, "****");
      text = p + secret_len;
    }
  g_string_append (out, text);
  return g_string_free (out, FALSE);
}

/* Credentials and session for one account. */

typedef struct
{
  ConfabAccount *account;
  char          *api_key;
} PrepareData;

static void
prepare_data_free (PrepareData *data)
{
  g_clear_object (&data->account);
  g_clear_pointer (&data->api_key, confab_keyring_secret_free);
  g_free (data);
}

void
confab_http_context_free (ConfabHttpContext *context)
{
  if (context == NULL)
    return;
  g_clear_object (&context->session);
  g_clear_pointer (&context->api_key, confab_keyring_secret_free);
  g_free (context);
}

static void
finish_prepare (GTask      *task,
                const char *proxy_password)
{
  PrepareData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  ConfabHttpContext *context;
  SoupSession *session;

  session = confab_http_session_new (data->account, proxy_password, &error);
  if (session == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  context = g_new0 (ConfabHttpContext, 1);
  context->session = session;
  context->api_key = g_steal_pointer (&data->api_key);
  g_task_return_pointer (task, context, (GDestroyNotify)confab_http_context_free);
}

static void
on_proxy_password (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *password = confab_keyring_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  finish_prepare (task, password);
  confab_keyring_secret_free (password);
}

/* A provider that needs no key (a local Ollama) must work where there is
 * no keyring at all. A key is still looked up, since one may be stored for
 * a server behind an authenticating proxy; with no keyring there is none
 * to send. A locked keyring may hold one, so that still fails. */
static gboolean
keyring_failure_means_no_key (const ConfabProviderInfo *info,
                              const GError             *error)
{
  return info != NULL && !info->needs_key && confab_keyring_error_is_unavailable (error);
}

static void
on_api_key (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PrepareData *data = g_task_get_task_data (task);
  const ConfabProviderInfo *info = confab_account_get_provider_info (data->account);
  g_autoptr(GError) error = NULL;

  data->api_key = confab_keyring_lookup_finish (result, &error);
  if (error != NULL && keyring_failure_means_no_key (info, error))
    {
      g_debug ("Going on without an API key for a provider that needs none: %s", error->message);
      g_clear_error (&error);
    }
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (data->api_key == NULL && info != NULL && info->needs_key)
    {
      g_task_return_new_error (task, CONFAB_ERROR, CONFAB_ERROR_AUTH,
                               _("No API key is stored for the account “%s”"),
                               confab_account_get_name (data->account));
      return;
    }

  if (confab_account_proxy_has_user (data->account))
    {
      GCancellable *cancellable = g_task_get_cancellable (task);
      confab_keyring_lookup_async (confab_account_get_id (data->account),
                                   CONFAB_SECRET_PROXY_PASSWORD, cancellable,
                                   on_proxy_password, g_steal_pointer (&task));
      return;
    }

  finish_prepare (task, NULL);
}

void
confab_http_context_new_async (ConfabAccount       *account,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  PrepareData *data;

  g_return_if_fail (CONFAB_IS_ACCOUNT (account));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_http_context_new_async);
  data = g_new0 (PrepareData, 1);
  data->account = g_object_ref (account);
  g_task_set_task_data (task, data, (GDestroyNotify)prepare_data_free);

  confab_keyring_lookup_async (confab_account_get_id (account), CONFAB_SECRET_API_KEY,
                               cancellable, on_api_key, g_steal_pointer (&task));
}

ConfabHttpContext *
confab_http_context_new_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Reading a whole (error or model-list) body, refusing runaway sizes. */

typedef struct
{
  GByteArray *buffer;
  gsize       max_size;
} ReadData;

static void
read_data_free (ReadData *data)
{
  g_byte_array_unref (data->buffer);
  g_free (data);
}

static void read_next (GTask *task);

static void
on_body_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ReadData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);

  if (bytes == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_bytes_get_size (bytes) == 0 || data->buffer->len >= data->max_size)
    {
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_byte_array_ref (data->buffer)),
                             (GDestroyNotify)g_bytes_unref);
      return;
    }

  g_byte_array_append (data->buffer, g_bytes_get_data (bytes, NULL),
                       MIN (g_bytes_get_size (bytes), data->max_size - data->buffer->len));
  read_next (g_steal_pointer (&task));
}

static void
read_next (GTask *task)
{
  GInputStream *stream = g_task_get_source_object (task);

  g_input_stream_read_bytes_async (stream, 16384, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), on_body_read, task);
}

void
confab_http_read_body_async (GInputStream        *stream,
                             gsize                max_size,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task;
  ReadData *data;

  g_return_if_fail (G_IS_INPUT_STREAM (stream));

  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, confab_http_read_body_async);
  data = g_new0 (ReadData, 1);
  data->buffer = g_byte_array_new ();
  data->max_size = max_size;
  g_task_set_task_data (task, data, (GDestroyNotify)read_data_free);
  read_next (task);
}

GBytes *
confab_http_read_body_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == confab_http_read_body_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
