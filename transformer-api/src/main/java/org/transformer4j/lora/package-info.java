/**
 * LoRA fine-tuning: {@link org.transformer4j.lora.LoraModel} trains low-rank adapters beside a frozen base model on
 * any backend, {@link org.transformer4j.lora.LoraAdapter} reads and writes them in PEFT's layout
 * ({@code adapter_config.json} + {@code adapter_model.safetensors}) and merges them into the base weights.
 */
package org.transformer4j.lora;
