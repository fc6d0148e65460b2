{{/*
Names, labels and the pieces shared by the worker Deployment and the topic Job.
*/}}

{{- define "piiredact.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "piiredact.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "piiredact.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels common to every object. */}}
{{- define "piiredact.labels" -}}
helm.sh/chart: {{ include "piiredact.chart" . }}
{{ include "piiredact.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: piiredact
{{- end }}

{{- define "piiredact.selectorLabels" -}}
app.kubernetes.io/name: {{ include "piiredact.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selects the worker pods only (not the topic job or the test pod). */}}
{{- define "piiredact.workerSelectorLabels" -}}
{{ include "piiredact.selectorLabels" . }}
app.kubernetes.io/component: worker
{{- end }}

{{- define "piiredact.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "piiredact.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "piiredact.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "piiredact.keysSecretName" -}}
{{- default (printf "%s-keys" (include "piiredact.fullname" .)) .Values.keys.existingSecret }}
{{- end }}

{{/* Mount points. */}}
{{- define "piiredact.dataDir" -}}/var/lib/piiredact{{- end }}
{{- define "piiredact.policyDir" -}}/etc/piiredact/policy{{- end }}
{{- define "piiredact.keysDir" -}}/etc/piiredact/keys{{- end }}
{{- define "piiredact.revealKeysDir" -}}/etc/piiredact/reveal-keys{{- end }}
{{- define "piiredact.saslDir" -}}/etc/piiredact/kafka-sasl{{- end }}
{{- define "piiredact.tlsDir" -}}/etc/piiredact/kafka-tls{{- end }}

{{- define "piiredact.usesSasl" -}}
{{- if hasPrefix "SASL_" .Values.kafka.securityProtocol }}true{{- end }}
{{- end }}

{{- define "piiredact.usesTls" -}}
{{- if has .Values.kafka.securityProtocol (list "SSL" "SASL_SSL") }}true{{- end }}
{{- end }}

{{/*
A setting value as environment text. Helm reads YAML numbers as float64, so whole numbers are
printed as integers (1048576, not 1.048576e+06).
*/}}
{{- define "piiredact.envValue" -}}
{{- if and (kindIs "float64" .) (eq (floor .) .) }}
{{- int64 . | toString }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{/*
Every value check that `values.schema.json` cannot express. Included by every template that
needs the settings, so `helm template` and `helm install` fail early with the reason.
*/}}
{{- define "piiredact.validate" -}}
{{- $v := .Values }}
{{- $inline := $v.keys.inline }}
{{- if and $v.keys.existingSecret (or $inline.active $inline.keys) }}
{{- fail "keys: set either keys.existingSecret or keys.inline, not both (keys.inline is for tests only)" }}
{{- else if not (or $v.keys.existingSecret $inline.active $inline.keys) }}
{{- fail "keys.existingSecret is required: create a Secret with an entry keys.json ({\"active\": \"<kid>\", \"keys\": {\"<kid>\": \"<base64 of 32 random bytes>\"}}), e.g. kubectl create secret generic piiredact-keys --from-file=keys.json, then set keys.existingSecret=piiredact-keys (see docs/deploy.md; keys.inline is for tests only)" }}
{{- else if not $v.keys.existingSecret }}
{{- if not (hasKey $inline.keys $inline.active) }}
{{- fail (printf "keys.inline.active %q must name one of keys.inline.keys" $inline.active) }}
{{- end }}
{{- range $kid, $key := $inline.keys }}
{{- if lt (len (b64dec $key)) 32 }}
{{- fail (printf "keys.inline.keys.%s must be the base64 of at least 32 random bytes" $kid) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $v.autoscaling.enabled $v.keda.enabled }}
{{- fail "autoscaling.enabled and keda.enabled are mutually exclusive: both would scale the same Deployment" }}
{{- end }}
{{- $partitions := int $v.topics.partitions }}
{{- if gt (int $v.replicaCount) $partitions }}
{{- fail (printf "replicaCount %d exceeds topics.partitions %d: pods beyond the raw topic's partitions sit idle" (int $v.replicaCount) $partitions) }}
{{- end }}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.maxReplicas) $partitions) }}
{{- fail (printf "autoscaling.maxReplicas %d exceeds topics.partitions %d: pods beyond the raw topic's partitions sit idle" (int $v.autoscaling.maxReplicas) $partitions) }}
{{- end }}
{{- if and $v.autoscaling.enabled (gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- if and $v.keda.enabled (gt (int $v.keda.maxReplicaCount) $partitions) }}
{{- fail (printf "keda.maxReplicaCount %d exceeds topics.partitions %d: pods beyond the raw topic's partitions sit idle" (int $v.keda.maxReplicaCount) $partitions) }}
{{- end }}
{{- if and $v.keda.enabled (gt (int $v.keda.minReplicaCount) (int $v.keda.maxReplicaCount)) }}
{{- fail "keda.minReplicaCount must not exceed keda.maxReplicaCount" }}
{{- end }}
{{- if and (include "piiredact.usesSasl" .) (not $v.kafka.sasl.existingSecret) }}
{{- fail (printf "kafka.securityProtocol %s needs kafka.sasl.existingSecret: a Secret with entries username and password" $v.kafka.securityProtocol) }}
{{- end }}
{{- if and $v.kafka.sasl.existingSecret (not (include "piiredact.usesSasl" .)) }}
{{- fail (printf "kafka.sasl.existingSecret is set but kafka.securityProtocol is %s: use SASL_PLAINTEXT or SASL_SSL" $v.kafka.securityProtocol) }}
{{- end }}
{{- if and $v.kafka.tls.existingSecret (not (include "piiredact.usesTls" .)) }}
{{- fail (printf "kafka.tls.existingSecret is set but kafka.securityProtocol is %s: use SSL or SASL_SSL" $v.kafka.securityProtocol) }}
{{- end }}
{{- if ne (empty $v.kafka.tls.certKey) (empty $v.kafka.tls.keyKey) }}
{{- fail "kafka.tls.certKey and kafka.tls.keyKey go together: set both for mutual TLS, or neither" }}
{{- end }}
{{- if and $v.kafka.tls.certKey (not $v.kafka.tls.existingSecret) }}
{{- fail "kafka.tls.certKey needs kafka.tls.existingSecret: the Secret holding the client certificate" }}
{{- end }}
{{- if $v.policy }}
{{- $policy := fromYaml $v.policy }}
{{- $encrypts := eq (toString (get $policy "default_action")) "encrypt" }}
{{- range $rule := (get $policy "rules" | default list) }}
{{- if and (kindIs "map" $rule) (eq (toString (get $rule "action")) "encrypt") }}
{{- $encrypts = true }}
{{- end }}
{{- end }}
{{- if and $encrypts (not $v.revealKeys.existingSecret) }}
{{- fail "the policy encrypts: set revealKeys.existingSecret to a Secret with an entry reveal-keys.json (a keyring of its own, not the pseudonymisation keys; see docs/consent.md)" }}
{{- end }}
{{- if hasKey $policy "Error" }}
{{- fail (printf "policy is not valid YAML: %s" (get $policy "Error")) }}
{{- end }}
{{- if not (hasKey $policy "version") }}
{{- fail "policy must be a YAML mapping with a version field (see the README's Policy section)" }}
{{- end }}
{{- end }}
{{- range $name, $_ := $v.extraEnv }}
{{- if not (hasPrefix "PIIREDACT_" $name) }}
{{- fail (printf "extraEnv.%s: only PIIREDACT_* settings belong here" $name) }}
{{- end }}
{{- if regexMatch "(?i)(PASSWORD|SECRET|TOKEN|KEYS)" $name }}
{{- fail (printf "extraEnv.%s looks like a secret: secrets never go into the ConfigMap" $name) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The non-secret settings as a YAML map NAME: "value". The ConfigMap holds them for the worker;
the topic Job (a pre-install hook, which runs before the ConfigMap exists) gets them as env.
Secret values never appear here: the SASL username comes from a secretKeyRef, the password, the
keys and the TLS material are files mounted from Secrets; only their paths are settings.
*/}}
{{- define "piiredact.settings" -}}
{{- $v := .Values }}
{{- $env := dict }}
{{- range $name, $value := $v.config }}
{{- $_ := set $env (printf "PIIREDACT_%s" ($name | snakecase | upper)) (include "piiredact.envValue" $value) }}
{{- end }}
{{- $_ := set $env "PIIREDACT_BROKER_URL" (printf "kafka://%s" (join ";" $v.kafka.bootstrapServers)) }}
{{- $_ := set $env "PIIREDACT_TOPIC_PARTITIONS" (include "piiredact.envValue" $v.topics.partitions) }}
{{- $_ := set $env "PIIREDACT_WEB_PORT" (include "piiredact.envValue" $v.service.port) }}
{{- $_ := set $env "PIIREDACT_WEB_HOST" "0.0.0.0" }}
{{- $_ := set $env "PIIREDACT_DATA_DIR" (include "piiredact.dataDir" .) }}
{{- $_ := set $env "PIIREDACT_KEYS_FILE" (printf "%s/keys.json" (include "piiredact.keysDir" .)) }}
{{- if $v.revealKeys.existingSecret }}
{{- $_ := set $env "PIIREDACT_REVEAL_KEYS_FILE" (printf "%s/reveal-keys.json" (include "piiredact.revealKeysDir" .)) }}
{{- end }}
{{- if $v.policy }}
{{- $_ := set $env "PIIREDACT_POLICY_FILE" (printf "%s/policy.yaml" (include "piiredact.policyDir" .)) }}
{{- end }}
{{- $_ := set $env "PIIREDACT_KAFKA_SECURITY_PROTOCOL" $v.kafka.securityProtocol }}
{{- if include "piiredact.usesSasl" . }}
{{- $_ := set $env "PIIREDACT_KAFKA_SASL_MECHANISM" $v.kafka.sasl.mechanism }}
{{- $_ := set $env "PIIREDACT_KAFKA_SASL_PASSWORD_FILE" (printf "%s/password" (include "piiredact.saslDir" .)) }}
{{- end }}
{{- if $v.kafka.tls.existingSecret }}
{{- $_ := set $env "PIIREDACT_KAFKA_SSL_CAFILE" (printf "%s/%s" (include "piiredact.tlsDir" .) $v.kafka.tls.caKey) }}
{{- if $v.kafka.tls.certKey }}
{{- $_ := set $env "PIIREDACT_KAFKA_SSL_CERTFILE" (printf "%s/%s" (include "piiredact.tlsDir" .) $v.kafka.tls.certKey) }}
{{- $_ := set $env "PIIREDACT_KAFKA_SSL_KEYFILE" (printf "%s/%s" (include "piiredact.tlsDir" .) $v.kafka.tls.keyKey) }}
{{- end }}
{{- end }}
{{- range $name, $value := $v.extraEnv }}
{{- $_ := set $env $name (include "piiredact.envValue" $value) }}
{{- end }}
{{- toYaml $env }}
{{- end }}

{{/* Env entries from Secrets (never a plain value): the SASL username. */}}
{{- define "piiredact.secretEnv" -}}
{{- if include "piiredact.usesSasl" . }}
- name: PIIREDACT_KAFKA_SASL_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ .Values.kafka.sasl.existingSecret }}
      key: username
{{- end }}
{{- end }}

{{/* Volumes for Kafka credentials, shared by the worker and the topic Job. */}}
{{- define "piiredact.kafkaVolumes" -}}
{{- if include "piiredact.usesSasl" . }}
- name: kafka-sasl
  secret:
    secretName: {{ .Values.kafka.sasl.existingSecret }}
    defaultMode: 0440
    items:
      - key: password
        path: password
{{- end }}
{{- if .Values.kafka.tls.existingSecret }}
- name: kafka-tls
  secret:
    secretName: {{ .Values.kafka.tls.existingSecret }}
    defaultMode: 0440
{{- end }}
{{- end }}

{{- define "piiredact.kafkaVolumeMounts" -}}
{{- if include "piiredact.usesSasl" . }}
- name: kafka-sasl
  mountPath: {{ include "piiredact.saslDir" . }}
  readOnly: true
{{- end }}
{{- if .Values.kafka.tls.existingSecret }}
- name: kafka-tls
  mountPath: {{ include "piiredact.tlsDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/* The writable emptyDirs a read-only root filesystem needs. */}}
{{- define "piiredact.scratchVolumes" -}}
- name: data
  emptyDir:
    sizeLimit: {{ .Values.dataVolume.sizeLimit }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
{{- end }}

{{- define "piiredact.scratchVolumeMounts" -}}
- name: data
  mountPath: {{ include "piiredact.dataDir" . }}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* Kafka ports named in the bootstrap servers (plus extras), for the NetworkPolicy. */}}
{{- define "piiredact.kafkaPorts" -}}
{{- $ports := list }}
{{- range .Values.kafka.bootstrapServers }}
{{- $ports = append $ports (int (last (splitList ":" .))) }}
{{- end }}
{{- range .Values.networkPolicy.extraKafkaPorts }}
{{- $ports = append $ports (int .) }}
{{- end }}
{{- toJson (uniq $ports) }}
{{- end }}
