/* confab-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

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
