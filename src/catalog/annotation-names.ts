/**
 * The annotations Lantern reads, by name: a module of its own, so that what only names them (the
 * scorecard data points an ingest loads) loads neither the annotation parser nor the YAML reader.
 */

/** The annotation that links an entity to security test targets (DESIGN.md: Annotation forms). */
export const TEST_TARGET_ANNOTATION = 'harness.io/sto-test-target';

/**
 * Backstage's annotation for where an entity's source is (catalog-model's ANNOTATION_SOURCE_LOCATION),
 * written out so that what an ingest loads does not load catalog-model.
 */
export const SOURCE_LOCATION_ANNOTATION = 'backstage.io/source-location';

/**
 * Annotations on an owner (a Group or User) that name the notification channels of the
 * configuration its entities' events go to, comma-separated (docs/triage.md: routing to owners).
 */
export const OWNER_CHANNEL_ANNOTATIONS = ['lantern.io/slack-channel', 'lantern.io/teams-channel', 'lantern.io/notification-channel'] as const;
