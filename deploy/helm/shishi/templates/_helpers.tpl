{{/* Names and labels shared by every Shishi template. */}}

{{- define "shishi.fullname" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "shishi.labels" -}}
app.kubernetes.io/part-of: shishi
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "name" "intake") */}}
{{- define "shishi.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* Where the services reach NATS. */}}
{{- define "shishi.natsUrl" -}}
{{- if .Values.natsClient.url -}}
{{- .Values.natsClient.url -}}
{{- else -}}
{{- printf "tls://%s-nats:4222" .Release.Name -}}
{{- end -}}
{{- end -}}

{{/* Where the services reach PostgreSQL (the read-write service of the CNPG cluster). */}}
{{- define "shishi.postgresHost" -}}
{{- if .Values.postgresql.cnpg.enabled -}}
{{- printf "%s-rw" .Values.postgresql.cnpg.name -}}
{{- else -}}
{{- required "postgresql.external.host is required when postgresql.cnpg.enabled is false" .Values.postgresql.external.host -}}
{{- end -}}
{{- end -}}

{{- define "shishi.postgresPort" -}}
{{- if .Values.postgresql.cnpg.enabled -}}5432{{- else -}}{{ .Values.postgresql.external.port }}{{- end -}}
{{- end -}}

{{/* SHISHI_UPSTREAMS of the gateway: each service's in-cluster URL (JSON). */}}
{{- define "shishi.upstreams" -}}
{{- $root := . -}}
{{- $m := dict -}}
{{- range $name, $_ := .Values.services -}}
{{- $_ := set $m $name (printf "http://%s-%s:8000" (include "shishi.fullname" $root) $name) -}}
{{- end -}}
{{- toJson $m -}}
{{- end -}}
