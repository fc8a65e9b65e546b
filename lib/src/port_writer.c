/*
 * port_writer.c - capos_port_writer_write (capos/port_writer.h): retry
 * from where the device stopped, bounded. Pure: no system calls, so the
 * host tests run this very file.
 */
#include <capos/port_writer.h>

void capos_port_writer_init(struct capos_port_writer *w, capos_port_try_fn try_write,
			    capos_port_pause_fn pause, void *arg)
{
	*w = (struct capos_port_writer){
		.try_write = try_write,
		.pause = pause,
		.arg = arg,
		.stalls_max = CAPOS_PORT_STALLS_MAX,
	};
}

capos_status_t capos_port_writer_write(struct capos_port_writer *w, const void *data,
				       uint32_t len, uint32_t *written)
{
	const uint8_t *p = data;
	uint32_t done = 0, stalls = 0;
	capos_status_t st = CAPOS_OK;
	while (done < len) {
		uint32_t n = len - done;
		if (w->chunk_max && n > w->chunk_max)
			n = w->chunk_max;
		uint32_t took = 0;
		st = w->try_write(w->arg, p + done, n, &took);
		if (st == CAPOS_OK)
			took = n;
		if (took > n)
			took = n; /* a device cannot take more than it was given */
		done += took;
		if (took) {
			w->dead = 0;
			stalls = 0;
		}
		if (st == CAPOS_OK)
			continue;
		if (st != CAPOS_WOULD_BLOCK)
			break; /* refused: retrying would be refused again */
		if (!took) {
			w->stalls++;
			uint32_t bound = w->dead ? 1 : w->stalls_max ? w->stalls_max : 1;
			if (++stalls >= bound) {
				w->dead = 1;
				st = CAPOS_TIMEOUT;
				break;
			}
		}
		/* Busy: give it time, then go on from where it stopped. */
		if (w->pause)
			w->pause(w->arg);
	}
	w->written += done;
	w->dropped += len - done;
	if (written)
		*written = done;
	return done == len ? CAPOS_OK : st;
}
