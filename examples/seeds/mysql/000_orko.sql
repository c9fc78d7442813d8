-- ORKO AI (seed 000) for MySQL 8.0.16+ and MariaDB 10.6+: the same schema
-- as ../000_orko.sql. Apply it to an empty database; names are not
-- qualified, so it lands in the current one.
--
-- Translation choices, and why:
-- - uuid ids are CHAR(36) (MySQL has no uuid type; MariaDB's UUID type is
--   not in MySQL). The default UUID() is a version 1, time-based UUID;
--   clients that need ids nobody can guess should supply version 4 ids.
-- - timestamptz is DATETIME(6) holding UTC by convention: TIMESTAMP would
--   convert through the session time zone and ends in 2038. Defaults of
--   CURRENT_TIMESTAMP are in the session time zone, so clients run with
--   time_zone = '+00:00'.
-- - updated_at uses ON UPDATE CURRENT_TIMESTAMP(6) instead of a trigger.
-- - the shared status and role enums become inline ENUMs per column.
-- - jsonb is JSON (in MariaDB a LONGTEXT with a JSON_VALID check).
-- - unique email and domain need no lower(...): the utf8mb4 default
--   collations compare case-insensitively. MySQL has no partial indexes;
--   the plain unique key on domain still allows any number of NULLs.

CREATE TABLE `orgs` (
    `id` CHAR(36) NOT NULL DEFAULT (UUID()) COMMENT 'Primary Key.',
    `name` VARCHAR(255) NOT NULL COMMENT 'Organization name.',
    `domain` VARCHAR(253) NULL COMMENT 'Internet domain of the organization, e.g. for matching users by email.',
    `plan` VARCHAR(50) NOT NULL DEFAULT 'free' COMMENT 'Subscription plan.',
    `status` ENUM('active', 'suspended', 'archived') NOT NULL DEFAULT 'active' COMMENT 'active/suspended/archived state.',
    `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT 'Creation time, for auditing and history.',
    `updated_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6) COMMENT 'Last update time, for auditing and history.',
    PRIMARY KEY (`id`),
    UNIQUE KEY `orgs_domain_key` (`domain`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Represents companies or workspaces using ORKO. Defines each customer organization and its subscription plan.';

CREATE TABLE `users` (
    `id` CHAR(36) NOT NULL DEFAULT (UUID()) COMMENT 'Primary Key (unique user ID).',
    `org_id` CHAR(36) NOT NULL COMMENT 'Organization the user belongs to.',
    `name` VARCHAR(255) NOT NULL COMMENT 'Display name.',
    `email` VARCHAR(320) NOT NULL COMMENT 'Login email address, unique regardless of case.',
    `hashed_password` VARCHAR(255) NOT NULL COMMENT 'Password hash (never the password).',
    `role` ENUM('admin', 'operator', 'viewer') NOT NULL DEFAULT 'viewer' COMMENT 'Role within the organization: admin, operator or viewer.',
    `status` ENUM('active', 'suspended', 'archived') NOT NULL DEFAULT 'active' COMMENT 'active/suspended/archived state.',
    `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT 'Creation time, for auditing and history.',
    `updated_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6) COMMENT 'Last update time, for auditing and history.',
    PRIMARY KEY (`id`),
    UNIQUE KEY `users_email_key` (`email`),
    -- RESTRICT: organizations are retired through status = 'archived'.
    CONSTRAINT `users_org_id_fkey` FOREIGN KEY (`org_id`) REFERENCES `orgs` (`id`) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Stores all individuals registered in ORKO (admins, operators, viewers). Tracks every user and their role within an organization.';

CREATE TABLE `auth_tokens` (
    `id` CHAR(36) NOT NULL DEFAULT (UUID()) COMMENT 'Primary Key.',
    `user_id` CHAR(36) NOT NULL COMMENT 'User the token authenticates.',
    `token_hash` VARCHAR(128) NOT NULL COMMENT 'Hash of the token; the token itself is only known to its holder.',
    `expires_at` DATETIME(6) NOT NULL COMMENT 'The token stops working at this time.',
    `revoked_at` DATETIME(6) NULL COMMENT 'Set when the token is revoked before it expires.',
    `status` ENUM('active', 'suspended', 'archived') NOT NULL DEFAULT 'active' COMMENT 'active/suspended/archived state.',
    `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT 'Issue time.',
    `updated_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6) COMMENT 'Last update time.',
    PRIMARY KEY (`id`),
    UNIQUE KEY `auth_tokens_token_hash_key` (`token_hash`),
    CONSTRAINT `auth_tokens_revoked_after_created` CHECK (`revoked_at` IS NULL OR `revoked_at` >= `created_at`),
    CONSTRAINT `auth_tokens_user_id_fkey` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Manages login sessions and API authentication tokens. Tracks secure logins and token lifecycles.';

CREATE TABLE `automations` (
    `id` CHAR(36) NOT NULL DEFAULT (UUID()) COMMENT 'Primary Key.',
    `user_id` CHAR(36) NOT NULL COMMENT 'User who created the automation.',
    `name` VARCHAR(255) NOT NULL COMMENT 'Name of the rule.',
    -- TRIGGER is a reserved word in MySQL: the backticks are required.
    `trigger` VARCHAR(255) NOT NULL COMMENT 'What starts the automation.',
    `action` VARCHAR(255) NOT NULL COMMENT 'What the automation does when triggered.',
    `config` JSON NOT NULL DEFAULT ('{}') COMMENT 'Parameters of the trigger and action.',
    `last_run_at` DATETIME(6) NULL COMMENT 'When the automation last ran.',
    `status` ENUM('active', 'suspended', 'archived') NOT NULL DEFAULT 'active' COMMENT 'active/suspended/archived state.',
    `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT 'Creation time.',
    `updated_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6) COMMENT 'Last update time.',
    PRIMARY KEY (`id`),
    CONSTRAINT `automations_user_id_fkey` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Contains user-created automation rules. Stores AI-driven automations that streamline workflows.';

CREATE TABLE `logs` (
    `id` BIGINT NOT NULL AUTO_INCREMENT COMMENT 'Primary Key.',
    `org_id` CHAR(36) NULL COMMENT 'Organization the event belongs to.',
    `user_id` CHAR(36) NULL COMMENT 'User who caused the event; NULL for system events.',
    `level` VARCHAR(20) NOT NULL COMMENT 'Severity, e.g. info, warning, error.',
    `event` VARCHAR(255) NOT NULL COMMENT 'Recorded event or system action.',
    `details` JSON NOT NULL DEFAULT ('{}') COMMENT 'Event payload.',
    `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT 'When the event happened.',
    PRIMARY KEY (`id`),
    -- SET NULL: logs are the audit trail and outlive what they mention.
    CONSTRAINT `logs_org_id_fkey` FOREIGN KEY (`org_id`) REFERENCES `orgs` (`id`) ON DELETE SET NULL,
    CONSTRAINT `logs_user_id_fkey` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Captures user and system activity. Records events for analytics, audit, and debugging.';

CREATE TABLE `feedback` (
    `id` CHAR(36) NOT NULL DEFAULT (UUID()) COMMENT 'Primary Key.',
    `user_id` CHAR(36) NULL COMMENT 'User who submitted the feedback.',
    `rating` TINYINT NULL COMMENT 'Rating from 1 (worst) to 5 (best).',
    `comment` TEXT NULL COMMENT 'Free-text comment or improvement suggestion.',
    `context` JSON NOT NULL DEFAULT ('{}') COMMENT 'Where the feedback was given, e.g. the screen or automation concerned.',
    `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) COMMENT 'Submission time.',
    `updated_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6) COMMENT 'Last edit time.',
    PRIMARY KEY (`id`),
    CONSTRAINT `feedback_rating_check` CHECK (`rating` BETWEEN 1 AND 5),
    CONSTRAINT `feedback_not_empty` CHECK (`rating` IS NOT NULL OR `comment` IS NOT NULL),
    CONSTRAINT `feedback_user_id_fkey` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Stores user feedback and ratings. Captures user sentiment and improvement suggestions.';

CREATE VIEW `org_activity` AS
SELECT o.`id` AS `org_id`,
       o.`name`,
       o.`plan`,
       o.`status`,
       COALESCE(SUM(u.`status` = 'active'), 0) AS `active_users`,
       COUNT(u.`id`) AS `total_users`
FROM `orgs` o
LEFT JOIN `users` u ON u.`org_id` = o.`id`
GROUP BY o.`id`, o.`name`, o.`plan`, o.`status`;
