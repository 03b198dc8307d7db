/* test-remote-image.c: an image a reply links to is fetched the way
 * confab-remote-image.c promises, against small servers on loopback: only
 * http and https, nothing about the user in the request, no redirect
 * followed, only images, and no more than CONFAB_REMOTE_IMAGE_MAX_BYTES
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "confab-remote-image.h"

/* A 1×1 PNG */
static const guint8 png[] = {
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
  0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
  0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
  0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
  0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00,
  0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};

typedef struct
{
  SoupServer *server;
  char       *base;
  GPtrArray  *paths;      /* every path asked for, in order */
  GPtrArray  *headers;    /* the request headers of each, as "Name: value\n" lines */
  char       *redirect_to;
} Server;

static void
on_request (SoupServer        *soup_server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Server *server = user_data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (message);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (message);
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;
  GString *lines = g_string_new (NULL);

  soup_message_headers_iter_init (&iter, request);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (lines, "%s: %s\n", name, value);
  g_ptr_array_add (server->headers, g_string_free (lines, FALSE));
  g_ptr_array_add (server->paths, g_strdup (path));

  if (g_str_equal (path, "/ok.png"))
    {
      soup_server_message_set_status (message, 200, NULL);
      soup_server_message_set_response (message, "image/png", SOUP_MEMORY_STATIC,
                                        (const char *) png, sizeof png);
    }
  else if (g_str_equal (path, "/page"))
    {
      soup_server_message_set_status (message, 200, NULL);
      soup_server_message_set_response (message, "text/html", SOUP_MEMORY_STATIC,
                                        "<html></html>", 13);
    }
  else if (g_str_equal (path, "/huge.png"))
    {
      gsize size = CONFAB_REMOTE_IMAGE_MAX_BYTES + 4096;
      char *body = g_malloc0 (size);

      soup_server_message_set_status (message, 200, NULL);
      soup_server_message_set_response (message, "image/png", SOUP_MEMORY_TAKE, body, size);
    }
  else if (g_str_equal (path, "/moved.png"))
    {
      soup_server_message_set_status (message, 302, NULL);
      soup_message_headers_replace (response, "Location", server->redirect_to);
    }
  else
    soup_server_message_set_status (message, 404, NULL);
}

static void
server_start (Server *server)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  server->server = soup_server_new (NULL, NULL);
  server->paths = g_ptr_array_new_with_free_func (g_free);
  server->headers = g_ptr_array_new_with_free_func (g_free);
  soup_server_add_handler (server->server, NULL, on_request, server, NULL);
  soup_server_listen_local (server->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server->server);
  server->base = g_uri_to_string (uris->data);
  if (g_str_has_suffix (server->base, "/"))
    server->base[strlen (server->base) - 1] = '\0';
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
server_stop (Server *server)
{
  soup_server_disconnect (server->server);
  g_clear_object (&server->server);
  g_clear_pointer (&server->paths, g_ptr_array_unref);
  g_clear_pointer (&server->headers, g_ptr_array_unref);
  g_clear_pointer (&server->base, g_free);
  g_clear_pointer (&server->redirect_to, g_free);
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GBytes *
fetch (const char  *uri,
       GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  confab_remote_image_fetch_async (uri, NULL, on_fetched, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return confab_remote_image_fetch_finish (result, error);
}

static void
test_image (void)
{
  Server server = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *lower = NULL;

  server_start (&server);
  uri = g_strconcat (server.base, "/ok.png", NULL);
  bytes = fetch (uri, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), png, sizeof png);

  /* Nothing about the user or the conversation goes with the request. */
  g_assert_cmpuint (server.headers->len, ==, 1);
  lower = g_ascii_strdown (g_ptr_array_index (server.headers, 0), -1);
  g_assert_null (strstr (lower, "cookie"));
  g_assert_null (strstr (lower, "referer"));
  g_assert_null (strstr (lower, "authorization"));
  g_assert_null (strstr (lower, "api-key"));
  g_assert_nonnull (strstr (lower, "accept: image/*"));
  server_stop (&server);
}

static void
test_not_an_image (void)
{
  Server server = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *page = NULL;
  g_autofree char *missing = NULL;

  server_start (&server);
  page = g_strconcat (server.base, "/page", NULL);
  bytes = fetch (page, &error);
  g_assert_null (bytes);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "text/html"));
  g_clear_error (&error);

  missing = g_strconcat (server.base, "/missing.png", NULL);
  bytes = fetch (missing, &error);
  g_assert_null (bytes);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "404"));
  server_stop (&server);
}

static void
test_too_large (void)
{
  Server server = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *uri = NULL;

  server_start (&server);
  uri = g_strconcat (server.base, "/huge.png", NULL);
  bytes = fetch (uri, &error);
  g_assert_null (bytes);
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE) ||
                 strstr (error->message, "MB") != NULL);
  server_stop (&server);
}

/* The address the user was shown is the only one fetched. */
static void
test_redirect_not_followed (void)
{
  Server first = { 0 };
  Server second = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *uri = NULL;

  server_start (&first);
  server_start (&second);
  first.redirect_to = g_strconcat (second.base, "/ok.png", NULL);
  uri = g_strconcat (first.base, "/moved.png", NULL);
  bytes = fetch (uri, &error);
  g_assert_null (bytes);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "302"));
  g_assert_cmpuint (first.paths->len, ==, 1);
  g_assert_cmpuint (second.paths->len, ==, 0);
  server_stop (&first);
  server_stop (&second);
}

static void
test_only_http (void)
{
  static const char *const refused[] = {
    "file:///etc/passwd",
    "ftp://127.0.0.1/x.png",
    "smb://server/share/x.png",
    "data:image/png;base64,iVBORw0KGgo=",
    "javascript:alert(1)",
    "http://user:secret@127.0.0.1/x.png",
    "http:///x.png",
    "not a uri",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = fetch (refused[i], &error);

      g_assert_null (bytes);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/remote-image/image", test_image);
  g_test_add_func ("/remote-image/not-an-image", test_not_an_image);
  g_test_add_func ("/remote-image/too-large", test_too_large);
  g_test_add_func ("/remote-image/redirect-not-followed", test_redirect_not_followed);
  g_test_add_func ("/remote-image/only-http", test_only_http);

  return g_test_run ();
}
