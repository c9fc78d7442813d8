-- Organizations, users and plugins (seed 002) for MySQL 8.0.16+ and
-- MariaDB 10.6+: the same schema as ../002_plugins.sql. Apply it to an
-- empty database; names are not qualified, so it lands in the current one.
--
-- Translation choices, and why:
-- - "BigInt, auto-increment" is BIGINT AUTO_INCREMENT.
-- - "string" needs a length in MySQL to be indexed or defaulted: VARCHAR(255)
--   for names and titles, VARCHAR(320) for email (the longest valid address),
--   VARCHAR(128) for external ids.
-- - "JSON" is JSON (in MariaDB a LONGTEXT with a JSON_VALID check).
-- - MySQL has no time-zone-aware type: date_joined/last_login ("timestamp
--   with timezone") and plugin.created_at (naive utcnow) are all DATETIME(6)
--   holding UTC. Defaults of CURRENT_TIMESTAMP are in the session time zone,
--   so clients run with time_zone = '+00:00'.
-- - is_system is BOOLEAN, which MySQL stores as TINYINT(1).
--
-- Security note, modelled as the seed has it: plugin.credentials holds
-- authentication credentials as plain JSON; a linter should report it.

CREATE TABLE `organization` (
    `id` BIGINT NOT NULL AUTO_INCREMENT COMMENT 'Organization id (auto-increment).',
    `name` VARCHAR(255) NOT NULL COMMENT 'Organization name.',
    PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Represents organizations (tenant grouping for multi-tenant support).';

CREATE TABLE `user` (
    `id` BIGINT NOT NULL AUTO_INCREMENT COMMENT 'User id (auto-increment).',
    `firebase_id` VARCHAR(128) NULL COMMENT 'Firebase authentication id.',
    `name` VARCHAR(255) NOT NULL COMMENT 'User name (at least one character).',
    `email` VARCHAR(320) NOT NULL COMMENT 'Email address, unique (at least one character).',
    `organization_id` BIGINT NOT NULL COMMENT 'Organization the user belongs to; the user is deleted with it.',
    `status` INT NOT NULL DEFAULT 1 COMMENT '1=ACTIVE, 2=INACTIVE, 3=DELETED.',
    `is_system` BOOLEAN NOT NULL DEFAULT FALSE COMMENT 'True for system-level users.',
    `active_token_id` VARCHAR(255) NULL COMMENT 'Tracks the current JWT token.',
    `date_joined` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT 'When the user joined.',
    `last_login` DATETIME(6) NULL COMMENT 'Last login time.',
    PRIMARY KEY (`id`),
    UNIQUE KEY `user_email_key` (`email`),
    UNIQUE KEY `user_firebase_id_key` (`firebase_id`),
    CONSTRAINT `user_name_not_empty` CHECK (CHAR_LENGTH(`name`) >= 1),
    CONSTRAINT `user_email_not_empty` CHECK (CHAR_LENGTH(`email`) >= 1),
    CONSTRAINT `user_status_check` CHECK (`status` IN (1, 2, 3)),
    CONSTRAINT `user_organization_id_fkey` FOREIGN KEY (`organization_id`) REFERENCES `organization` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Represents system users, each belonging to an organization.';

CREATE TABLE `plugin` (
    `id` BIGINT NOT NULL AUTO_INCREMENT COMMENT 'Plugin id (auto-increment).',
    `organization_id` BIGINT NOT NULL COMMENT 'Organization the plugin is configured for.',
    `data_source` VARCHAR(255) NOT NULL COMMENT 'Identifies the type of plugin/integration.',
    `title` VARCHAR(255) NOT NULL COMMENT 'Display name.',
    `credentials` JSON NOT NULL COMMENT 'Authentication credentials of the integration (stored as plain JSON).',
    `properties` JSON NOT NULL COMMENT 'Configuration properties of the integration.',
    `created_at` DATETIME(6) NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT 'Creation time, UTC.',
    PRIMARY KEY (`id`),
    -- No ON DELETE: the seed cascades only users; an organization that still
    -- has plugins cannot be deleted until their credentials are removed.
    CONSTRAINT `plugin_organization_id_fkey` FOREIGN KEY (`organization_id`) REFERENCES `organization` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Represents integration plugins/data sources configured per organization.';

CREATE VIEW `active_users` AS
SELECT u.`id`, u.`name`, u.`email`, u.`organization_id`, o.`name` AS `organization_name`, u.`last_login`
FROM `user` u
JOIN `organization` o ON o.`id` = u.`organization_id`
WHERE u.`status` = 1 AND NOT u.`is_system`;
