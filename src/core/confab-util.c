/* confab-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "confab-util.h"

/* g_set_str() arrived in GLib 2.76; Debian 12 has 2.74. */
gboolean
confab_set_str (char       **str_pointer,
                const char  *new_str)
{
  char *copy;

  if (*str_pointer == new_str || g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;

  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;

  return TRUE;
}

/* Appends @str as a JSON string literal, quotes included. Used on the
 * per-delta path of confab-cli --events, where building a JsonNode per
 * event would cost more than the event itself. */
void
confab_json_escape_append (GString    *out,
                           const char *str,
                           gssize      len)
{
  static const char hex[] = "0123456789abcdef";
  const char *end;
  const char *run;

  if (len < 0)
    len = strlen (str);
  end = str + len;

  g_string_append_c (out, '"');
  run = str;
  for (const char *p = str; p < end; p++)
    {
      guchar c = *p;
      const char *escape = NULL;

      if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
        continue;

      g_string_append_len (out, run, p - run);
      run = p + 1;
      switch (c)
        {
        case '"': escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        case '\t': escape = "\\t"; break;
        default:
          g_string_append (out, "\\u00");
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xf]);
          break;
        }
      if (escape != NULL)
        g_string_append (out, escape);
    }
  g_string_append_len (out, run, end - run);
  g_string_append_c (out, '"');
}

/* 16 lowercase hex digits: short enough to type, random enough that
 * conversations and accounts from different machines never collide. */
char *
confab_new_id (void)
{
  return g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
}

gboolean
confab_str_is_blank (const char *str)
{
  if (str == NULL)
    return TRUE;
  for (; *str != '\0'; str++)
    if (!g_ascii_isspace (*str))
      return FALSE;
  return TRUE;
}

/* json-glib 1.6 parses recursively with no depth limit: 100,000 "[" in a
 * stream event, an error body or a file overflow the stack (found by the
 * fault tests and fuzzing). Every untrusted document goes through this
 * check first. It only counts brackets outside strings; the document may
 * still be invalid, which json-glib then reports. */
gboolean
confab_json_check_depth (const char  *data,
                         gssize       len,
                         GError     **error)
{
  const char *end;
  guint depth = 0;
  gboolean in_string = FALSE;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (len < 0)
    len = strlen (data);
  end = data + len;

  for (const char *p = data; p < end; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p + 1 < end)
            p++;
          else if (*p == '"')
            in_string = FALSE;
          continue;
        }

      switch (*p)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > CONFAB_JSON_MAX_DEPTH)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("JSON nested more than %u levels deep"), CONFAB_JSON_MAX_DEPTH);
              return FALSE;
            }
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        default:
          break;
        }
    }
  return TRUE;
}

/* json_parser_load_from_data() for documents from the network or from
 * files: nesting is checked first, and json-glib's error message, which
 * quotes single bytes of the input, is made valid UTF-8 before it can
 * reach a label or a terminal (both found by fuzzing). */
gboolean
confab_json_parser_load (JsonParser  *parser,
                         const char  *data,
                         gssize       len,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (JSON_IS_PARSER (parser), FALSE);

  if (confab_json_check_depth (data, len, &local_error) &&
      json_parser_load_from_data (parser, data, len, &local_error))
    return TRUE;

  if (!g_utf8_validate (local_error->message, -1, NULL))
    {
      char *valid = g_utf8_make_valid (local_error->message, -1);

      g_free (local_error->message);
      local_error->message = valid;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}
