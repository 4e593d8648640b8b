/*
 * verdict.h - the rules that turn a student's code into a mark or a
 * refusal, as one pure function of what the submit's read found.
 */
#ifndef EHZ_VERDICT_H
#define EHZ_VERDICT_H

/* In the order a student should hear about them. */
enum verdict {
	V_NO_WINDOW,    /* attendance was never opened for the session */
	V_NOT_ENROLLED, /* not in the session's class (or joined later) */
	V_MARKED,       /* P or R already: the same answer again */
	V_MANUAL,       /* the teacher marked the student by hand */
	V_CLOSED,       /* the window has ended */
	V_OFF_CAMPUS,   /* a campus-only class, submitted from elsewhere */
	V_NO_TRIES,     /* two wrong codes this round */
	V_WRONG,        /* the code is not the window's */
	V_ACCEPT,       /* mark the student */
};

/* What the read found about one submit; strings may be NULL when !found. */
struct verdict_in {
	int found;          /* the session has a window */
	int enrolled;       /* the student belongs to the session's class */
	const char *cur;    /* the current mark ("P", "R", "A") or NULL */
	const char *source; /* the current mark's source ("OTP", "MANUAL") */
	int open;           /* the window is open now (database clock) */
	const char *cidrs;  /* the class's campus networks, "" for any */
	int online;         /* the session is an online one: any network */
	const char *addr;   /* the client's address */
	long long wrong;    /* wrong codes this round */
	const char *code;   /* the window's code */
	const char *otp;    /* what the student sent (4 digits) */
};

enum verdict verdict_decide(const struct verdict_in *in);

#endif
