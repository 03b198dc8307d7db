/* confab-test-proxy.c: a small HTTP and SOCKS5 proxy for the proxy tests
 *
 *   confab-test-proxy --kind http|socks5 [--user U --password P]
 *
 * Listens on an ephemeral loopback port, prints that port as its first
 * line, then one line per relayed connection ("TUNNEL host:port",
 * "AUTH-OK user", "AUTH-FAIL user") so tests can prove traffic went
 * through it. With --user and --password an HTTP proxy asks for Basic
 * credentials (407) and a SOCKS5 one for its user name and password.
 * CONFAB_TEST_PROXY_DEBUG=1 also logs each HTTP request line ("REQ …").
 * Blocking I/O in worker threads keeps it short.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *kind = NULL;
static char *user = NULL;
static char *password = NULL;
static GMutex log_lock;

static void
log_line (const char *format,
          ...) G_GNUC_PRINTF (1, 2);

static void
log_line (const char *format,
          ...)
{
  va_list args;

  g_mutex_lock (&log_lock);
  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
  g_mutex_unlock (&log_lock);
}

typedef struct
{
  GInputStream  *from;
  GOutputStream *to;
} Pipe;

static gpointer
pump (gpointer data)
{
  Pipe *pipe = data;
  char buffer[16384];
  gssize n;

  while ((n = g_input_stream_read (pipe->from, buffer, sizeof buffer, NULL, NULL)) > 0)
    if (!g_output_stream_write_all (pipe->to, buffer, n, NULL, NULL, NULL))
      break;
  g_output_stream_close (pipe->to, NULL, NULL);
  return NULL;
}

/* Copies both ways until both sides are done. */
static void
relay (GIOStream *client,
       GIOStream *server)
{
  Pipe up = { g_io_stream_get_input_stream (client), g_io_stream_get_output_stream (server) };
  Pipe down = { g_io_stream_get_input_stream (server), g_io_stream_get_output_stream (client) };
  GThread *thread = g_thread_new ("relay", pump, &up);

  pump (&down);
  g_io_stream_close (client, NULL, NULL);
  g_thread_join (thread);
  g_io_stream_close (server, NULL, NULL);
}

static GSocketConnection *
connect_to (const char *host,
            guint16     port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();

  g_socket_client_set_enable_proxy (client, FALSE);
  return g_socket_client_connect_to_host (client, host, port, NULL, NULL);
}

static gboolean
read_exact (GInputStream *in,
            guint8       *buffer,
            gsize         len)
{
  gsize got = 0;

  return g_input_stream_read_all (in, buffer, len, &got, NULL, NULL) && got == len;
}

/* The value of header @name in @head, or NULL */
static char *
find_header (const char *head,
             const char *name)
{
  g_auto(GStrv) lines = g_strsplit (head, "\r\n", -1);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');

      if (colon != NULL && (gsize) (colon - lines[i]) == strlen (name) &&
          g_ascii_strncasecmp (lines[i], name, strlen (name)) == 0)
        return g_strstrip (g_strdup (colon + 1));
    }
  return NULL;
}

/* With --user and --password, a request must carry them as Basic
 * Proxy-Authorization. Returns the user name it carried, or NULL. */
static gboolean
http_authenticated (const char  *head,
                    char       **who)
{
  g_autofree char *value = find_header (head, "Proxy-Authorization");
  g_autofree char *expected = NULL;
  g_autofree char *decoded = NULL;
  gsize len;

  *who = NULL;
  if (user == NULL)
    return TRUE;
  if (value == NULL || g_ascii_strncasecmp (value, "Basic ", 6) != 0)
    return FALSE;
  decoded = (char *) g_base64_decode (value + 6, &len);
  decoded = g_realloc (decoded, len + 1);
  decoded[len] = '\0';
  if (strchr (decoded, ':') != NULL)
    *who = g_strndup (decoded, strchr (decoded, ':') - decoded);
  expected = g_strdup_printf ("%s:%s", user, password);
  return g_str_equal (decoded, expected);
}

/* Everything but the Proxy-Authorization line, for the server. */
static char *
without_proxy_authorization (const char *head)
{
  g_auto(GStrv) lines = g_strsplit (head, "\r\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (lines[i], "Proxy-Authorization:", 20) == 0)
        continue;
      g_string_append (out, lines[i]);
      if (lines[i + 1] != NULL)
        g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}

/* Reads and drops the body of a refused request, so the next request on
 * the same connection can be read. */
static gboolean
skip_body (GInputStream *in,
           const char   *head)
{
  g_autofree char *length = find_header (head, "Content-Length");
  gsize left = length != NULL ? g_ascii_strtoull (length, NULL, 10) : 0;
  char buffer[4096];

  while (left > 0)
    {
      gssize n = g_input_stream_read (in, buffer, MIN (left, sizeof buffer), NULL, NULL);

      if (n <= 0)
        return FALSE;
      left -= n;
    }
  return TRUE;
}

static char *
read_head (GInputStream *in)
{
  GString *head = g_string_new (NULL);
  char c;

  while (!g_str_has_suffix (head->str, "\r\n\r\n"))
    {
      if (g_input_stream_read (in, &c, 1, NULL, NULL) != 1 || head->len > 65536)
        {
          g_string_free (head, TRUE);
          return NULL;
        }
      g_string_append_c (head, c);
    }
  return g_string_free (head, FALSE);
}

/* HTTP: CONNECT host:port, or an absolute-form request for plain http.
 * A request refused for want of the right credentials gets a 407 and
 * the connection stays open for the next try, as clients expect. */
static void
serve_http (GSocketConnection *connection)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GSocketConnection) upstream = NULL;
  g_auto(GStrv) request_line = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *head = NULL;

  for (;;)
    {
      g_autofree char *who = NULL;
      const char *refusal = "HTTP/1.1 407 Proxy Authentication Required\r\n"
                            "Proxy-Authenticate: Basic realm=\"confab-test\"\r\n"
                            "Content-Length: 0\r\n\r\n";

      g_clear_pointer (&head, g_free);
      head = read_head (in);
      if (head == NULL)
        return;
      if (g_getenv ("CONFAB_TEST_PROXY_DEBUG") != NULL)
        log_line ("REQ %.*s", (int) strcspn (head, "\r"), head);
      if (http_authenticated (head, &who))
        {
          if (user != NULL)
            log_line ("AUTH-OK %s", who);
          break;
        }
      log_line ("AUTH-FAIL %s", who != NULL ? who : "");
      if (!g_str_has_prefix (head, "CONNECT ") && !skip_body (in, head))
        return;
      if (!g_output_stream_write_all (out, refusal, strlen (refusal), NULL, NULL, NULL))
        return;
    }

  request_line = g_strsplit (head, " ", 3);
  if (g_strv_length (request_line) < 3)
    return;

  if (g_str_equal (request_line[0], "CONNECT"))
    {
      g_auto(GStrv) target = g_strsplit (request_line[1], ":", 2);
      const char *ok = "HTTP/1.1 200 Connection established\r\n\r\n";

      upstream = connect_to (target[0], target[1] ? atoi (target[1]) : 443);
      if (upstream == NULL)
        {
          g_output_stream_write_all (out, "HTTP/1.1 502 Bad Gateway\r\n\r\n", 28, NULL, NULL, NULL);
          return;
        }
      log_line ("TUNNEL %s", request_line[1]);
      g_output_stream_write_all (out, ok, strlen (ok), NULL, NULL, NULL);
      relay (G_IO_STREAM (connection), G_IO_STREAM (upstream));
      return;
    }

  uri = g_uri_parse (request_line[1], G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return;
  upstream = connect_to (g_uri_get_host (uri), g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 80);
  if (upstream == NULL)
    return;
  log_line ("TUNNEL %s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  {
    g_autofree char *rest = without_proxy_authorization (request_line[2]);
    g_autofree char *origin = g_strdup_printf ("%s %s%s%s %s", request_line[0], g_uri_get_path (uri),
                                               g_uri_get_query (uri) ? "?" : "",
                                               g_uri_get_query (uri) ? g_uri_get_query (uri) : "",
                                               rest);
    GOutputStream *up = g_io_stream_get_output_stream (G_IO_STREAM (upstream));
    g_output_stream_write_all (up, origin, strlen (origin), NULL, NULL, NULL);
  }
  relay (G_IO_STREAM (connection), G_IO_STREAM (upstream));
}

static gboolean
socks_authenticate (GInputStream  *in,
                    GOutputStream *out)
{
  guint8 header[2], methods[255], len;
  char name[256] = { 0 }, secret[256] = { 0 };
  guint8 wanted = user != NULL ? 2 : 0;
  gboolean offered = FALSE;
  guint8 reply[2] = { 5, 0xff };

  if (!read_exact (in, header, 2) || header[0] != 5 || !read_exact (in, methods, header[1]))
    return FALSE;
  for (guint i = 0; i < header[1]; i++)
    offered |= methods[i] == wanted;
  if (!offered)
    {
      g_output_stream_write_all (out, reply, 2, NULL, NULL, NULL);
      return FALSE;
    }
  reply[1] = wanted;
  g_output_stream_write_all (out, reply, 2, NULL, NULL, NULL);
  if (wanted == 0)
    return TRUE;

  if (!read_exact (in, header, 2) || !read_exact (in, (guint8 *)name, header[1]) ||
      !read_exact (in, &len, 1) || !read_exact (in, (guint8 *)secret, len))
    return FALSE;

  reply[0] = 1;
  reply[1] = g_str_equal (name, user) && g_str_equal (secret, password) ? 0 : 1;
  g_output_stream_write_all (out, reply, 2, NULL, NULL, NULL);
  log_line ("%s %s", reply[1] == 0 ? "AUTH-OK" : "AUTH-FAIL", name);
  return reply[1] == 0;
}

static void
serve_socks5 (GSocketConnection *connection)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  static const guint8 ok[10] = { 5, 0, 0, 1, 127, 0, 0, 1, 0, 0 };
  static const guint8 fail[10] = { 5, 5, 0, 1, 0, 0, 0, 0, 0, 0 };
  g_autoptr(GSocketConnection) upstream = NULL;
  g_autofree char *host = NULL;
  guint8 request[4], addr[256], port[2], len;

  if (!socks_authenticate (in, out) || !read_exact (in, request, 4) || request[1] != 1)
    return;

  if (request[3] == 1 && read_exact (in, addr, 4))
    host = g_strdup_printf ("%u.%u.%u.%u", addr[0], addr[1], addr[2], addr[3]);
  else if (request[3] == 3 && read_exact (in, &len, 1) && read_exact (in, addr, len))
    host = g_strndup ((char *)addr, len);
  if (host == NULL || !read_exact (in, port, 2))
    return;

  upstream = connect_to (host, port[0] << 8 | port[1]);
  g_output_stream_write_all (out, upstream ? ok : fail, 10, NULL, NULL, NULL);
  if (upstream == NULL)
    return;
  log_line ("TUNNEL %s:%u", host, port[0] << 8 | port[1]);
  relay (G_IO_STREAM (connection), G_IO_STREAM (upstream));
}

static gboolean
on_run (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source,
        gpointer                user_data)
{
  if (g_str_equal (kind, "socks5"))
    serve_socks5 (connection);
  else
    serve_http (connection);
  return TRUE;
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  const GOptionEntry entries[] = {
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind, "http or socks5", "KIND" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, "Require this user (SOCKS5, or HTTP Basic)", "USER" },
    { "password", 0, 0, G_OPTION_ARG_STRING, &password, "… with this password", "PASSWORD" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || kind == NULL ||
      (user != NULL) != (password != NULL))
    {
      g_printerr ("usage: confab-test-proxy --kind http|socks5 [--user U --password P]\n");
      return 2;
    }

  service = g_threaded_socket_service_new (32);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_signal_connect (service, "run", G_CALLBACK (on_run), NULL);

  printf ("%u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  fflush (stdout);

  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);
  return 0;
}
