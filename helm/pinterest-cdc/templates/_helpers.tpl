{{/*
The chart name, or nameOverride; at most 63 characters (a DNS label).
*/}}
{{- define "pinterest-cdc.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The fully qualified app name: fullnameOverride, else the release name when it already contains the chart
name, else "<release>-<chart>"; at most 63 characters.
*/}}
{{- define "pinterest-cdc.fullname" -}}
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

{{/*
"<chart>-<version>" for the helm.sh/chart label.
*/}}
{{- define "pinterest-cdc.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels: name + instance only, because a Deployment's selector is immutable.
*/}}
{{- define "pinterest-cdc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pinterest-cdc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Common labels of every object the chart renders.
*/}}
{{- define "pinterest-cdc.labels" -}}
helm.sh/chart: {{ include "pinterest-cdc.chart" . }}
{{ include "pinterest-cdc.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The ServiceAccount the pod runs as: the chart's own when serviceAccount.create, else serviceAccount.name
(or "default").
*/}}
{{- define "pinterest-cdc.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "pinterest-cdc.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference: repository:tag (tag defaults to the chart's appVersion), or repository@digest when
image.digest is set.
*/}}
{{- define "pinterest-cdc.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}
{{- end }}

{{/*
The Secret holding the Pinterest credentials: auth.existingSecret, else the chart's own.
*/}}
{{- define "pinterest-cdc.secretName" -}}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecret }}
{{- else }}
{{- printf "%s-credentials" (include "pinterest-cdc.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
True ("true") when the chart renders its own Secret from inline auth values.
*/}}
{{- define "pinterest-cdc.createSecret" -}}
{{- if and (not .Values.auth.existingSecret) .Values.auth.clientId .Values.auth.clientSecret .Values.auth.refreshToken }}true{{ end }}
{{- end }}

{{/*
The shutdown deadline the app uses (config.sync.shutdownTimeoutSeconds, app default 20).
*/}}
{{- define "pinterest-cdc.shutdownTimeoutSeconds" -}}
{{- $sync := .Values.config.sync | default dict }}
{{- $sync.shutdownTimeoutSeconds | default 20 | int }}
{{- end }}

{{/*
The ConfigMap/Secret checksums that roll the pod when its configuration changes.
*/}}
{{- define "pinterest-cdc.checksums" -}}
checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if include "pinterest-cdc.createSecret" . }}
checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}

{{/*
--max-old-space-size in MiB: heapPercentOfMemoryLimit of resources.limits.memory (a Kubernetes quantity); empty
when there is no limit, the percentage is 0, extraEnv sets NODE_OPTIONS itself, or the quantity is not readable
(validateValues reports that).
*/}}
{{- define "pinterest-cdc.maxOldSpaceMiB" -}}
{{- $limit := toString ((((.Values.resources | default dict).limits) | default dict).memory | default "") }}
{{- $percent := .Values.heapPercentOfMemoryLimit | default 0 | int }}
{{- $own := false }}
{{- range .Values.extraEnv }}{{ if eq .name "NODE_OPTIONS" }}{{ $own = true }}{{ end }}{{ end }}
{{- if and $limit (gt $percent 0) (not $own) }}
{{- $units := list (list "Gi" 1073741824.0) (list "Mi" 1048576.0) (list "Ki" 1024.0) (list "G" 1000000000.0) (list "M" 1000000.0) (list "k" 1000.0) }}
{{- $bytes := 0.0 }}
{{- range $units }}
{{- if and (not $bytes) (hasSuffix (index . 0) $limit) (regexMatch "^[0-9.]+$" (trimSuffix (index . 0) $limit)) }}
{{- $bytes = mulf (trimSuffix (index . 0) $limit | float64) (index . 1) }}
{{- end }}
{{- end }}
{{- if and (not $bytes) (regexMatch "^[0-9]+$" $limit) }}{{ $bytes = $limit | float64 }}{{ end }}
{{- if $bytes }}{{ floor (divf (mulf $bytes $percent) 104857600.0) | int }}{{ end }}
{{- end }}
{{- end }}

{{/*
Checks across values that values.schema.json cannot express; fails the render with every problem at once.
*/}}
{{- define "pinterest-cdc.validateValues" -}}
{{- $problems := list }}
{{- $auth := .Values.auth }}
{{- $inline := list }}
{{- range $key := list "clientId" "clientSecret" "refreshToken" }}
{{- if index $auth $key }}{{ $inline = append $inline $key }}{{ end }}
{{- end }}
{{- if and $auth.existingSecret $inline }}
{{- $problems = append $problems (printf "auth: set either auth.existingSecret or the inline auth.clientId/clientSecret/refreshToken, not both (inline: %s)" (join ", " $inline)) }}
{{- else if not $auth.existingSecret }}
{{- if and (not $inline) .Values.connections }}
{{- else if not $inline }}
{{- $problems = append $problems "auth: no Pinterest credentials configured: set auth.existingSecret (a Secret with the keys auth.existingSecretClientIdKey, auth.existingSecretClientSecretKey, auth.existingSecretRefreshTokenKey) or all of auth.clientId, auth.clientSecret and auth.refreshToken" }}
{{- else if lt (len $inline) 3 }}
{{- $problems = append $problems (printf "auth: inline credentials need all of auth.clientId, auth.clientSecret and auth.refreshToken (only %s set), or use auth.existingSecret" (join ", " $inline)) }}
{{- end }}
{{- end }}
{{- $names := list }}
{{- range .Values.connections }}
{{- if has .name $names }}
{{- $problems = append $problems (printf "connections: the name %s is used twice" .name) }}
{{- end }}
{{- if and (eq .name "default") (include "pinterest-cdc.hasAuth" $) }}
{{- $problems = append $problems "connections: the name default is taken by auth.* (the single-connection credentials)" }}
{{- end }}
{{- $names = append $names .name }}
{{- end }}
{{- $kafka := .Values.config.kafka | default dict }}
{{- if not $kafka.brokers }}
{{- $problems = append $problems "config.kafka.brokers: required (bootstrap brokers, host:port)" }}
{{- end }}
{{- $registry := .Values.config.schemaRegistry | default dict }}
{{- if not $registry.url }}
{{- $problems = append $problems "config.schemaRegistry.url: required (Confluent-compatible API; Apicurio: .../apis/ccompat/v7)" }}
{{- end }}
{{- $shutdown := include "pinterest-cdc.shutdownTimeoutSeconds" . | int }}
{{- if le (int .Values.terminationGracePeriodSeconds) $shutdown }}
{{- $problems = append $problems (printf "terminationGracePeriodSeconds (%d) must be above config.sync.shutdownTimeoutSeconds (%d), or Kubernetes kills the pod before the in-flight batch is finished" (int .Values.terminationGracePeriodSeconds) $shutdown) }}
{{- end }}
{{- $memory := toString ((((.Values.resources | default dict).limits) | default dict).memory | default "") }}
{{- if and $memory (gt (.Values.heapPercentOfMemoryLimit | default 0 | int) 0) (not (regexMatch "^[0-9]+$|^[0-9.]+(Gi|Mi|Ki|G|M|k)$" $memory)) }}
{{- $problems = append $problems (printf "resources.limits.memory %q: cannot derive the heap cap from it; use Gi, Mi, Ki, G, M, k or bytes, or set heapPercentOfMemoryLimit: 0 (and NODE_OPTIONS in extraEnv)" $memory) }}
{{- end }}
{{- if and (ne (toString .Values.podDisruptionBudget.minAvailable) "<nil>") (ne (toString .Values.podDisruptionBudget.maxUnavailable) "<nil>") }}
{{- $problems = append $problems "podDisruptionBudget: set minAvailable or maxUnavailable, not both" }}
{{- end }}
{{- if $problems }}
{{- fail (printf "\n\nVALUES VALIDATION:\n  - %s\n" (join "\n  - " $problems)) }}
{{- end }}
{{- end }}

{{/*
The app's config file: .Values.config, plus pinterest.connections from .Values.connections (credentials as
`*File` paths into each connection's mounted Secret, never values).
*/}}
{{- define "pinterest-cdc.appConfig" -}}
{{- $config := deepCopy (.Values.config | default dict) }}
{{- if .Values.connections }}
{{- $pinterest := get $config "pinterest" | default dict }}
{{- $connections := dict }}
{{- range .Values.connections }}
{{- $dir := printf "/etc/pinterest-cdc-connections/%s" .name }}
{{- $entry := dict "clientIdFile" (printf "%s/%s" $dir (.clientIdKey | default "client-id")) "clientSecretFile" (printf "%s/%s" $dir (.clientSecretKey | default "client-secret")) "refreshTokenFile" (printf "%s/%s" $dir (.refreshTokenKey | default "refresh-token")) }}
{{- if .adAccountIds }}
{{- $ids := list }}
{{- range .adAccountIds }}{{ $ids = append $ids (toString .) }}{{ end }}
{{- $_ := set $entry "adAccountIds" $ids }}
{{- end }}
{{- $_ := set $connections .name $entry }}
{{- end }}
{{- $_ := set $pinterest "connections" $connections }}
{{- $_ := set $config "pinterest" $pinterest }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{/*
True when auth.* configures the connection `default` (an existing Secret, or inline values).
*/}}
{{- define "pinterest-cdc.hasAuth" -}}
{{- if or .Values.auth.existingSecret .Values.auth.clientId .Values.auth.clientSecret .Values.auth.refreshToken }}true{{ end }}
{{- end }}
