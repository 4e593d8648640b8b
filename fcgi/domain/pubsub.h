/*
 * pubsub.h - WebSocket channels: naming, and publishing events through
 * nchan.
 */
#ifndef EHZ_PUBSUB_H
#define EHZ_PUBSUB_H

#include <jansson.h>

#include "arena.h"

struct config;

/*
 * Channel names.  A per-user channel is an HMAC of the e-mail, so nobody
 * can guess another user's channel; the class channel is by class id.
 */
char *pubsub_user_channel(const struct config *cfg, const char *email,
    struct arena *a);
char *pubsub_class_channel(long long class_id, struct arena *a);

/*
 * Publishes {"type":type, ...data} to one channel.  Call after COMMIT:
 * events describe what is already true.  Steals data.  0 or -1 (logged;
 * a missed event is repaired by live-status on reconnect).
 */
int pubsub_publish(const struct config *cfg, const char *channel,
    const char *type, json_t *data);
/*
 * As pubsub_publish for n events at once (pipelined on one connection):
 * the cheap way to tell a teacher about a batch of submits.
 */
int pubsub_publish_many(const struct config *cfg, int n,
    const char *const *channels, const char *const *types, json_t **data);
/*
 * As pubsub_publish_many, but a channel with several of the n events gets
 * them as one message, {"type":group_type,"items":[event, ...]}, each
 * event whole (with its own "type") and in order; a channel with one gets
 * it as it is.  A message is what a publish costs (nchan's request, its
 * Redis script), not its size.  Steals data.
 */
int pubsub_publish_grouped(const struct config *cfg, int n,
    const char *const *channels, const char *const *types, json_t **data,
    const char *group_type);

#endif
