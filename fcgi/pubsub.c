/*
 * pubsub.c - the producer side of the WebSocket: events are POSTed to
 * nginx's nchan publisher on a unix socket (PUB_SOCKET), which fans them
 * out to subscribers and keeps a buffer for clients that reconnect with
 * last_event_id.  One curl handle per thread keeps the connection warm.
 */
#include <curl/curl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "pubsub.h"
#include "token.h"

static _Thread_local CURL *curl;

char *
pubsub_user_channel(const struct config *cfg, const char *email,
    struct arena *a)
{
	char *h = token_hmac_hex(cfg->jwt_secret, email, 24, a);

	return h ? arena_printf(a, "u-%s", h) : NULL;
}

char *
pubsub_class_channel(long long class_id, struct arena *a)
{
	return arena_printf(a, "c-%lld", class_id);
}

static size_t
discard(char *d, size_t s, size_t n, void *u)
{
	(void)d;
	(void)u;
	return s * n;
}

int
pubsub_publish(const struct config *cfg, const char *channel, const char *type,
    json_t *data)
{
	char url[512], *body;
	struct curl_slist *h = NULL;
	long code = 0;
	CURLcode rc;

	if (data == NULL)
		data = json_object();
	json_object_set_new(data, "type", json_string(type));
	body = json_dumps(data, JSON_COMPACT);
	json_decref(data);
	if (body == NULL)
		return -1;
	if (curl == NULL && (curl = curl_easy_init()) == NULL) {
		free(body);
		return -1;
	}
	curl_easy_reset(curl);
	snprintf(url, sizeof(url), "http://localhost/pub/%s", channel);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, cfg->pub_socket);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 2000L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	free(body);
	if (rc != CURLE_OK || (code != 201 && code != 202)) {
		log_warn("publish %s to %s failed: %s (%ld)", type, channel,
		    curl_easy_strerror(rc), code);
		return -1;
	}
	return 0;
}

void
pubsub_wake_relay(const struct config *cfg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(cfg->relay_socket) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, cfg->relay_socket);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return;
	/* Lost when the relay is down: it polls the database anyway. */
	(void)sendto(fd, "w", 1, 0, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
}

void
pubsub_thread_end(void)
{
	if (curl)
		curl_easy_cleanup(curl);
	curl = NULL;
}
